import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";
import { checkoutUrlField } from "../checkout/schema";

export const bidBody = z
	.strictObject({
		amount: money().meta({ example: 120 }),
		maxAmount: money().optional().describe("Proxy maximum: the auction bids for you up to this"),
	})
	.refine((b) => b.maxAmount == null || b.maxAmount >= b.amount, {
		path: ["maxAmount"],
		message: "Must be at least amount",
	})
	.meta({ id: "BidRequest" });

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
			.nullable()
			.describe(
				"The entry's link in the hash-chained log. Null until the auction is SETTLED: a hash commits to the sealed maxima",
			),
	})
	.meta({ id: "AuctionBid" });
