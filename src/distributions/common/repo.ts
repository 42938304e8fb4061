/** Distribution rows ↔ the spec's Queue / Draw / Auction objects, and their tenant-scoped queries. */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { distributions } from "../../db/schema";
import { fromMinor } from "../../lib/money";
import { isoOrNull, isoSeconds } from "../../lib/time";
import type { AuctionResponse, DrawResponse, QueueResponse } from "./schema";
import { type DistributionType, statusAt } from "./status";

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
		openAt: isoOrNull(row.openAt),
		closeAt: isoOrNull(row.closeAt),
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
				...tail,
			};
		case "draw":
			return {
				...head,
				status: head.status as DrawResponse["status"],
				drawAt: isoSeconds(row.drawAt ?? 0),
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
				settleAt: isoSeconds(row.settleAt ?? 0),
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

/** The distribution `id` of this type in this organization; another type's id is simply not found. */
export const getDistribution = (database: Db, organizationId: string, type: DistributionType, id: string) =>
	database
		.select()
		.from(distributions)
		.where(
			and(eq(distributions.organizationId, organizationId), eq(distributions.type, type), eq(distributions.id, id)),
		)
		.get();

/** Any type, for engines and orders that only know the id. */
export const findDistribution = (database: Db, organizationId: string, id: string) =>
	database
		.select()
		.from(distributions)
		.where(and(eq(distributions.organizationId, organizationId), eq(distributions.id, id)))
		.get();
