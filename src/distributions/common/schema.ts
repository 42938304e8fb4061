/**
 * Queues, draws and auctions: the request and response shapes of the Distributions API,
 * field for field. Times arrive as ISO 8601 strings and are resolved against the
 * distribution's (or organization's) time zone by the service, which also checks the
 * rules that span fields (closeAt > openAt, startingBid ≤ reservePrice, …).
 */
import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime, metadata } from "../../lib/schemas";
import { timeZone } from "../../platform/organizations/schema";
import { STATUSES } from "./status";

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const dateTimeInput = () =>
	z
		.string()
		.max(40)
		.regex(
			DATE_TIME,
			"ISO 8601 date-time, e.g. 2030-12-15T09:00:00-05:00 (without an offset: the distribution's time zone)",
		)
		// The document's generator would write the flagged regex as `…$/i`, which no string matches.
		.meta({ example: "2030-12-15T09:00:00-05:00", pattern: DATE_TIME.source });
const positiveInt = () => z.number().int("Must be a whole number").min(1, "Must be at least 1").max(1_000_000_000);

const common = {
	name: z.string().trim().min(1).max(200),
	timeZone: timeZone(),
	openAt: dateTimeInput(),
	closeAt: dateTimeInput(),
	encryptionSeed: z.string().min(8).max(128).describe("Seed for consumer position encoding; generated when absent"),
	metadata: metadata(),
};

const createCommon = {
	sequenceId: z.string().min(1).max(100).meta({ example: "seq_01HXYZ123456789" }),
	name: common.name.optional(),
	timeZone: common.timeZone.optional(),
	// null: not scheduled (a draw without any openAt opens at creation instead).
	openAt: common.openAt.nullable().optional(),
	closeAt: common.closeAt.nullable().optional(),
	encryptionSeed: common.encryptionSeed.optional(),
	metadata: common.metadata.optional(),
};

const updateCommon = {
	name: common.name.optional(),
	timeZone: common.timeZone.optional(),
	// null: not scheduled (a draw without any openAt opens at creation instead).
	openAt: common.openAt.nullable().optional(),
	closeAt: common.closeAt.nullable().optional(),
	metadata: common.metadata.nullable().optional(),
};

const queueFields = {
	maxCapacity: positiveInt().describe("Most consumers ADMITTED at once"),
	admissionRate: positiveInt().describe("Consumers admitted per minute"),
	sessionDurationSeconds: z.number().int().min(30).max(86_400).describe("How long an admission grant lasts"),
	prequeueSeconds: z
		.number()
		.int()
		.min(0)
		.max(7 * 86_400)
		.describe("Shoppers may enter this long before openAt; their order is shuffled at open (default 0)"),
	entryShards: z
		.number()
		.int("Must be a whole number")
		.min(1, "Must be at least 1")
		.max(64, "Must be at most 64")
		.describe(
			"How many shard objects take this queue's enters (1–64, default 1: the queue's own object). Each shard " +
				"stores its arrivals and forwards them to the queue every 500 ms, so a queue takes about 1,000 enters/s " +
				"per shard; admission stays in arrival order to within 1 s between shards (exact within one). " +
				"Fixed once the queue takes entries (409).",
		),
};
const drawFields = {
	drawAt: dateTimeInput().describe("When winners are selected"),
	winnerCount: positiveInt(),
	maxEntries: positiveInt(),
	claimWindowSeconds: z
		.number()
		.int()
		.min(60)
		.max(30 * 86_400)
		.describe("How long a winner has to claim (default 86,400)"),
	backfill: z.boolean().describe("When a winner's claim expires, the next entrant in the ranking wins instead"),
};
const auctionFields = {
	settleAt: dateTimeInput().describe("When the auction settles"),
	startingBid: money(),
	minimumIncrement: money().refine((v) => v > 0, "Must be greater than 0"),
	reservePrice: money(),
	buyNowPrice: money(),
	softCloseSeconds: z
		.number()
		.int()
		.min(1)
		.max(3600)
		.describe("A bid this close to closeAt that changes the leader extends closeAt to now + softCloseSeconds"),
	maxExtensionSeconds: z.number().int().min(0).max(86_400).describe("Cap on all extensions together (default: no cap)"),
	claimWindowSeconds: drawFields.claimWindowSeconds,
};

export const createQueueBody = z
	.strictObject({
		...createCommon,
		maxCapacity: queueFields.maxCapacity.optional(),
		admissionRate: queueFields.admissionRate.optional(),
		sessionDurationSeconds: queueFields.sessionDurationSeconds.optional(),
		prequeueSeconds: queueFields.prequeueSeconds.optional(),
		entryShards: queueFields.entryShards.optional(),
	})
	.meta({ id: "CreateQueueRequest" });
export const updateQueueBody = z
	.strictObject({
		...updateCommon,
		maxCapacity: queueFields.maxCapacity.nullable().optional(),
		admissionRate: queueFields.admissionRate.nullable().optional(),
		sessionDurationSeconds: queueFields.sessionDurationSeconds.nullable().optional(),
		prequeueSeconds: queueFields.prequeueSeconds.optional(),
		entryShards: queueFields.entryShards.optional(),
	})
	.meta({ id: "UpdateQueueRequest" });

export const createDrawBody = z
	.strictObject({
		...createCommon,
		drawAt: drawFields.drawAt,
		winnerCount: drawFields.winnerCount,
		maxEntries: drawFields.maxEntries.optional(),
		claimWindowSeconds: drawFields.claimWindowSeconds.optional(),
		backfill: drawFields.backfill.optional(),
	})
	.meta({ id: "CreateDrawRequest" });
export const updateDrawBody = z
	.strictObject({
		...updateCommon,
		drawAt: drawFields.drawAt.optional(),
		winnerCount: drawFields.winnerCount.optional(),
		maxEntries: drawFields.maxEntries.nullable().optional(),
		claimWindowSeconds: drawFields.claimWindowSeconds.nullable().optional(),
		backfill: drawFields.backfill.optional(),
	})
	.meta({ id: "UpdateDrawRequest" });

export const createAuctionBody = z
	.strictObject({
		...createCommon,
		settleAt: auctionFields.settleAt,
		startingBid: auctionFields.startingBid.optional(),
		minimumIncrement: auctionFields.minimumIncrement.optional(),
		reservePrice: auctionFields.reservePrice.optional(),
		buyNowPrice: auctionFields.buyNowPrice.optional(),
		softCloseSeconds: auctionFields.softCloseSeconds.optional(),
		maxExtensionSeconds: auctionFields.maxExtensionSeconds.optional(),
		claimWindowSeconds: auctionFields.claimWindowSeconds.optional(),
	})
	.meta({ id: "CreateAuctionRequest" });
export const updateAuctionBody = z
	.strictObject({
		...updateCommon,
		settleAt: auctionFields.settleAt.optional(),
		startingBid: auctionFields.startingBid.nullable().optional(),
		minimumIncrement: auctionFields.minimumIncrement.nullable().optional(),
		reservePrice: auctionFields.reservePrice.nullable().optional(),
		buyNowPrice: auctionFields.buyNowPrice.nullable().optional(),
		softCloseSeconds: auctionFields.softCloseSeconds.nullable().optional(),
		maxExtensionSeconds: auctionFields.maxExtensionSeconds.nullable().optional(),
		claimWindowSeconds: auctionFields.claimWindowSeconds.nullable().optional(),
	})
	.meta({ id: "UpdateAuctionRequest" });

const responseCommon = {
	id: z.string(),
	organizationId: z.string(),
	sequenceId: z.string(),
	name: z.string().nullable(),
	timeZone: z.string(),
	openAt: isoDateTime().nullable(),
	closeAt: isoDateTime().nullable(),
	encryptionSeed: z.string(),
	// The generator leaves a record's key schema out of the document; state it (as metadata() does).
	metadata: z
		.record(z.string(), z.unknown())
		.meta({ propertyNames: { type: "string" } })
		.nullable(),
	createdAt: isoDateTime(),
	updatedAt: isoDateTime(),
};

export const queueSchema = z
	.object({
		...responseCommon,
		status: z.enum(STATUSES.queue),
		maxCapacity: z.number().int().nullable(),
		admissionRate: z.number().int().nullable(),
		sessionDurationSeconds: z.number().int().nullable(),
		prequeueSeconds: z.number().int().optional().describe("Present when a pre-queue is set"),
		entryShards: z.number().int().optional().describe("Present when enters are sharded (more than 1 shard)"),
	})
	.meta({ id: "Queue" });
export const drawSchema = z
	.object({
		...responseCommon,
		status: z.enum(STATUSES.draw),
		drawAt: isoDateTime(),
		winnerCount: z.number().int(),
		maxEntries: z.number().int().nullable(),
		claimWindowSeconds: z.number().int().optional().describe("Present when set"),
		backfill: z.boolean().optional().describe("Present when true"),
	})
	.meta({ id: "Draw" });
export const auctionSchema = z
	.object({
		...responseCommon,
		status: z.enum(STATUSES.auction),
		settleAt: isoDateTime(),
		startingBid: z.number().nullable(),
		minimumIncrement: z.number().nullable(),
		reservePrice: z.number().nullable(),
		buyNowPrice: z.number().nullable(),
		softCloseSeconds: z.number().int().optional().describe("Present when set"),
		maxExtensionSeconds: z.number().int().optional().describe("Present when set"),
		claimWindowSeconds: z.number().int().optional().describe("Present when set"),
		winnerConsumerId: z.string().nullable().optional().describe("Once SETTLED (GET): the winner, or null"),
		finalPrice: z.number().nullable().optional().describe("Once SETTLED (GET): the winning price, or null"),
	})
	.meta({ id: "Auction" });

export type QueueResponse = z.infer<typeof queueSchema>;
export type DrawResponse = z.infer<typeof drawSchema>;
export type AuctionResponse = z.infer<typeof auctionSchema>;
