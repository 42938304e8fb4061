/** What an auction's refusals mean to the client; a bid too low is told the minimum next bid. */
import { ApiError, conflict, notFound } from "../../http/problems";
import { fromMinor } from "../../lib/money";
import type { Refusals } from "../common/engine";
import type { AuctionError, AuctionReply } from "./object";

type Refused = Extract<AuctionReply<unknown>, { ok: false }>;

export const AUCTION_ERRORS: Refusals<AuctionError, Refused> = {
	not_found: () => notFound("Auction"),
	not_open: () => conflict("Auction not open", "Bidding has not started."),
	closed: () => conflict("Auction closed", "Bidding has ended."),
	too_low: (reply) => {
		const next = reply.minimumNextBid == null ? "" : ` The minimum next bid is ${fromMinor(reply.minimumNextBid)}.`;
		return conflict("Bid too low", `The bid is below the minimum next bid.${next}`);
	},
	buy_now_unavailable: () =>
		conflict("Buy now unavailable", "This auction has no buy-now price, or the price has passed it."),
	not_settled: () => conflict("Auction not settled", "The bid log is published once the auction settles."),
	key_reused: () =>
		new ApiError(
			422,
			"Idempotency key reused",
			"This idempotency key was already used for a different bid; use a new key.",
		),
	bad_ticket: () => new ApiError(401, "Invalid ticket", "The ticket is not one this auction issued to you."),
};
