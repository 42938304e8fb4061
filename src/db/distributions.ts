/** Distribution rows ↔ the spec's Queue / Draw / Auction objects, and their tenant-scoped queries. */
import { and, eq } from "drizzle-orm";
import { fromMinor } from "../lib/money";
import { type DistributionType, statusAt } from "../lib/status";
import { isoOrNull, isoSeconds } from "../lib/time";
import type { AuctionResponse, DrawResponse, QueueResponse } from "../schemas/distributions";
import type { Db } from "./client";
import { distributions } from "./schema";

export type DistributionRow = typeof distributions.$inferSelect;
export type DistributionResponse = QueueResponse | DrawResponse | AuctionResponse;

const moneyOrNull = (minor: number | null) => (minor == null ? null : fromMinor(minor));

export function toDistribution(row: DistributionRow, now = Date.now()): DistributionResponse {
	const common = {
		id: row.id,
		organizationId: row.organizationId,
		sequenceId: row.sequenceId,
		name: row.name,
		timeZone: row.timeZone,
		openAt: isoOrNull(row.openAt),
		closeAt: isoOrNull(row.closeAt),
		encryptionSeed: row.encryptionSeed,
		metadata: row.metadata ?? null,
		createdAt: isoSeconds(row.createdAt),
		updatedAt: isoSeconds(row.updatedAt),
	};
	switch (row.type) {
		case "queue":
			return {
				...common,
				status: statusAt("queue", row, now) as QueueResponse["status"],
				maxCapacity: row.maxCapacity,
				admissionRate: row.admissionRate,
				sessionDurationSeconds: row.sessionDurationSeconds,
			};
		case "draw":
			return {
				...common,
				status: statusAt("draw", row, now) as DrawResponse["status"],
				drawAt: isoSeconds(row.drawAt ?? 0),
				winnerCount: row.winnerCount ?? 0,
				maxEntries: row.maxEntries,
			};
		case "auction":
			return {
				...common,
				status: statusAt("auction", row, now) as AuctionResponse["status"],
				settleAt: isoSeconds(row.settleAt ?? 0),
				startingBid: moneyOrNull(row.startingBid),
				minimumIncrement: moneyOrNull(row.minimumIncrement),
				reservePrice: moneyOrNull(row.reservePrice),
				buyNowPrice: moneyOrNull(row.buyNowPrice),
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
