import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";
import { accessCodeField } from "../access/schema";
import { checkoutUrlField } from "../checkout/schema";

export const bidBody = z
	.strictObject({
		amount: money().meta({ example: 120 }),
		maxAmount: money().optional().describe("Proxy maximum: the auction bids for you up to this"),
		accessCode: accessCodeField.optional(),
	})
	.refine((b) => b.maxAmount == null || b.maxAmount >= b.amount, {
		path: ["maxAmount"],
		message: "Must be at least amount",
	})
	.meta({ id: "BidRequest" });

export const auctionHeadSchema = z
	.object({
		seq: z.number().int().describe("How many entries the log had"),
		headHash: z.string().describe("The hash of entry `seq` of GET /consumer/v1/auctions/:id/log"),
		token: z
			.string()
			.describe(
				'`{seq, headHash}` signed: an EdDSA JWT (`typ` "auction-head", `dist` the auction, `seq`, `head`), verifiable with /.well-known/jwks.json. Keep it: a published log without this hash at this seq is a rewritten one',
			),
	})
	.nullable()
	.describe("The signed head of the auction's log as of this answer; null before the first bid")
	.meta({ id: "AuctionHead" });

export const auctionPublicSchema = z
	.object({
		auctionId: z.string(),
		status: z.string(),
		currentPrice: z.number().nullable(),
		bidCount: z.number().int(),
		minimumNextBid: z.number(),
		reserveMet: z.boolean().describe("Whether the (secret) reserve price is met"),
		buyNowPrice: z.number().nullable().describe("Present while buy-now is still available"),
		closeAt: isoDateTime().nullable().describe("Including soft-close extensions"),
		settleAt: isoDateTime().nullable(),
		head: auctionHeadSchema,
	})
	.meta({ id: "AuctionPublicState" });

export const bidderStateSchema = z
	.object({
		consumerId: z.string(),
		status: z.enum(["NOT_BID", "BIDDING", "WINNING", "OUTBID", "WON", "LOST"]),
		ticket: z
			.string()
			.describe("Opaque; send as X-Auction-Ticket on GET …/status to follow your bidding without the access token"),
		yourMaximum: z.number().nullable(),
		currentPrice: z.number().nullable(),
		minimumNextBid: z.number(),
		finalPrice: z.number().optional(),
		admissionToken: z.string().optional().describe("Winner: the grant to check out with, at finalPrice"),
		claimBy: isoDateTime().optional(),
		checkoutUrl: checkoutUrlField,
		head: auctionHeadSchema,
	})
	.meta({ id: "BidderState" });

export const auctionBidSchema = z
	.object({
		seq: z.number().int(),
		consumerId: z.string(),
		bidder: z.string().describe("The pseudonym shown in the public log"),
		amount: z.number().describe("The amount placed: the bid itself, or the price a proxy step bid for its bidder"),
		maxAmount: z
			.number()
			.nullable()
			.describe(
				"The bidder's proxy maximum (an explicit bid's; null for proxy steps). Sealed until the auction is SETTLED: null for every entry before, for the merchant too",
			),
		kind: z.enum(["bid", "proxy", "buy_now"]),
		placedAt: z.string(),
		hash: z
			.string()
			.describe(
				"The entry's link in the hash-chained log (GET /consumer/v1/auctions/:id/log). It covers a salted commitment to the maximum, never the maximum, so it is shown while the auction runs",
			),
	})
	.meta({ id: "AuctionBid" });

const logEntrySchema = z.object({
	seq: z.number().int(),
	kind: z
		.enum(["bid", "proxy", "buy_now", "times"])
		.describe('"times": closeAt / settleAt moved after the first bid (`cause` "merchant" or "soft_close")'),
	placedAt: z.number().int().describe("Epoch milliseconds"),
	bidder: z.string().nullable().describe("Pseudonym, stable within the auction; null for times"),
	amount: z.number().int().nullable().describe("Minor units; null for times"),
	commitment: z
		.string()
		.nullable()
		.describe('Explicit bids: SHA-256(maxAmount ‖ "|" ‖ salt), hex, the salt secret and per bid until SETTLED'),
	closeAt: z.number().int().nullable(),
	settleAt: z.number().int().nullable(),
	cause: z.enum(["merchant", "soft_close"]).nullable(),
	prevHash: z.string(),
	hash: z
		.string()
		.describe(
			'SHA-256(prevHash ‖ "|" ‖ JSON [seq, kind, placedAt, bidder, amount, commitment, closeAt, settleAt, cause])',
		),
	maxAmount: z.number().int().nullable().optional().describe("Explicit bids, once SETTLED"),
	salt: z.string().nullable().optional().describe("Explicit bids, once SETTLED: checks the commitment"),
});

export const auctionLogSchema = z
	.object({
		auctionId: z.string(),
		algorithm: z.literal("fanfare-edge/auction-v2"),
		currency: z.literal("minor units"),
		status: z.string(),
		genesis: z
			.object({
				algorithm: z.string(),
				auctionId: z.string(),
				rules: z.object({
					startingBid: z.number().int(),
					minimumIncrement: z.number().int(),
					reserveCommitment: z.string().describe('SHA-256(reservePrice or "none" ‖ "|" ‖ reserveSalt)'),
					buyNowPrice: z.number().int().nullable(),
					softCloseSeconds: z.number().int().nullable(),
					maxExtensionSeconds: z.number().int().nullable(),
				}),
				openAt: z.number().int(),
				closeAt: z.number().int().nullable(),
				settleAt: z.number().int().nullable(),
			})
			.nullable()
			.describe("What the chain's first link commits to, fixed at the first bid; null before it"),
		genesisHash: z.string().nullable().describe("SHA-256 of the genesis's canonical JSON array: entry 1's prevHash"),
		closeAt: z.number().int().nullable().describe("The times in force, as the chain says"),
		settleAt: z.number().int().nullable(),
		head: auctionHeadSchema,
		entries: z.array(logEntrySchema),
		rules: z
			.object({
				startingBid: z.number().int(),
				minimumIncrement: z.number().int(),
				reservePrice: z.number().int().nullable(),
				buyNowPrice: z.number().int().nullable(),
				softCloseSeconds: z.number().int().nullable(),
				maxExtensionSeconds: z.number().int().nullable(),
			})
			.optional()
			.describe("Once SETTLED"),
		reserveSalt: z.string().nullable().optional().describe("Once SETTLED: checks the genesis's reserveCommitment"),
		finalPrice: z.number().int().nullable().optional(),
		winner: z.string().nullable().optional(),
		reserveMet: z.boolean().optional(),
	})
	.meta({ id: "AuctionLog" });
