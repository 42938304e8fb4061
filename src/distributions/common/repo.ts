/** Distribution rows ↔ the spec's Queue / Draw / Auction objects, and their tenant-scoped queries. */
import { and, eq } from "drizzle-orm";
import { type Db, db } from "../../db/client";
import { listPage } from "../../db/list";
import { distributions, sequences } from "../../db/schema";
import { fromMinor } from "../../lib/money";
import type { PageQuery } from "../../lib/pagination";
import { isoInstant, isoSeconds } from "../../lib/time";
import type { AuctionResponse, DrawResponse, QueueResponse } from "./schema";
import { type DistributionType, type Status, statusAt, statusSql } from "./status";

export type DistributionRow = typeof distributions.$inferSelect;
export type DistributionResponse = QueueResponse | DrawResponse | AuctionResponse;

const moneyOrNull = (minor: number | null) => (minor == null ? null : fromMinor(minor));

/** The spec's Queue, Draw or Auction object, keys in the spec's order; `status` as of `now`. */
export function toDistribution(row: DistributionRow, now = Date.now()): DistributionResponse {
	const head = {
		id: row.id,
		organizationId: row.organizationId,
		sequenceId: row.sequenceId,
		name: row.name,
		timeZone: row.timeZone,
		status: statusAt(row.type, row, now),
		openAt: row.openAt == null ? null : isoInstant(row.openAt),
		closeAt: row.closeAt == null ? null : isoInstant(row.closeAt),
	};
	const tail = {
		metadata: row.metadata ?? null,
		createdAt: isoSeconds(row.createdAt),
		updatedAt: isoSeconds(row.updatedAt),
	};
	switch (row.type) {
		case "queue":
			return {
				...head,
				status: head.status as QueueResponse["status"],
				encryptionSeed: row.encryptionSeed,
				maxCapacity: row.maxCapacity,
				admissionRate: row.admissionRate,
				sessionDurationSeconds: row.sessionDurationSeconds,
				// Extensions beyond the spec appear only when set, so spec responses stay exact.
				...(row.prequeueSeconds ? { prequeueSeconds: row.prequeueSeconds } : {}),
				...(row.entryShards > 1 ? { entryShards: row.entryShards } : {}),
				...tail,
			};
		case "draw":
			return {
				...head,
				status: head.status as DrawResponse["status"],
				drawAt: isoInstant(row.drawAt ?? 0),
				winnerCount: row.winnerCount ?? 0,
				encryptionSeed: row.encryptionSeed,
				maxEntries: row.maxEntries,
				...(row.claimWindowSeconds ? { claimWindowSeconds: row.claimWindowSeconds } : {}),
				...(row.backfill ? { backfill: true } : {}),
				...tail,
			};
		case "auction":
			return {
				...head,
				status: head.status as AuctionResponse["status"],
				settleAt: isoInstant(row.settleAt ?? 0),
				startingBid: moneyOrNull(row.startingBid),
				minimumIncrement: moneyOrNull(row.minimumIncrement),
				reservePrice: moneyOrNull(row.reservePrice),
				buyNowPrice: moneyOrNull(row.buyNowPrice),
				encryptionSeed: row.encryptionSeed,
				...(row.softCloseSeconds != null ? { softCloseSeconds: row.softCloseSeconds } : {}),
				...(row.maxExtensionSeconds != null ? { maxExtensionSeconds: row.maxExtensionSeconds } : {}),
				...(row.claimWindowSeconds ? { claimWindowSeconds: row.claimWindowSeconds } : {}),
				...tail,
			};
	}
}

const byId = (organizationId: string, id: string) =>
	and(eq(distributions.organizationId, organizationId), eq(distributions.id, id));

/** The distribution `id` of this type in this organization; another type's id is simply not found. */
export const getDistribution = (d1: D1Database, organizationId: string, type: DistributionType, id: string) =>
	db(d1)
		.select()
		.from(distributions)
		.where(and(byId(organizationId, id), eq(distributions.type, type)))
		.get();

/**
 * Any type, for engines and orders that only know the id. Takes the drizzle client
 * (not the binding) because the engines' status sync calls it so.
 */
export const findDistribution = (database: Db, organizationId: string, id: string) =>
	database.select().from(distributions).where(byId(organizationId, id)).get();

export interface DistributionFilters {
	sequenceId?: string;
	status?: Status;
}

/** One page of this type's distributions, newest first; `status` is filtered by the rule as of `now`. */
export function listDistributions(
	d1: D1Database,
	secret: string,
	organizationId: string,
	type: DistributionType,
	{ sequenceId, status }: DistributionFilters,
	page: PageQuery,
	now = Date.now(),
) {
	const filters = [
		eq(distributions.type, type),
		sequenceId ? eq(distributions.sequenceId, sequenceId) : undefined,
		status ? eq(statusSql(distributions, now), status) : undefined,
	];
	return listPage(db(d1), secret, distributions, organizationId, filters, page, (row) => toDistribution(row, now));
}

/** Whether the organization has this sequence: a distribution is created in one. */
export async function sequenceExists(d1: D1Database, organizationId: string, sequenceId: string): Promise<boolean> {
	const row = await db(d1)
		.select({ id: sequences.id })
		.from(sequences)
		.where(and(eq(sequences.organizationId, organizationId), eq(sequences.id, sequenceId)))
		.get();
	return row !== undefined;
}

export async function insertDistribution(d1: D1Database, row: DistributionRow): Promise<void> {
	await db(d1).insert(distributions).values(row);
}

export async function writeDistribution(
	d1: D1Database,
	organizationId: string,
	id: string,
	set: Partial<DistributionRow>,
): Promise<void> {
	await db(d1).update(distributions).set(set).where(byId(organizationId, id));
}

export async function removeDistribution(d1: D1Database, organizationId: string, id: string): Promise<void> {
	await db(d1).delete(distributions).where(byId(organizationId, id));
}
