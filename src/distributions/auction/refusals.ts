/**
 * What an auction's refusals mean to the client; a bid too low is told the minimum next bid.
 * Also the merchant's refusal to change the rules of an auction that has bids.
 */
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
	key_reused: () =>
		new ApiError(
			422,
			"Idempotency key reused",
			"This idempotency key was already used for a different bid; use a new key.",
		),
	bad_ticket: () => new ApiError(401, "Invalid ticket", "The ticket is not one this auction issued to you."),
};

/** A PUT that would change rules frozen at the first bid (rules.ts FROZEN_AT_FIRST_BID): names each field it tried. */
export const rulesFrozen = (fields: readonly string[]) =>
	conflict(
		"Auction rules frozen",
		"This auction has bids: its rules stay as they were at the first bid, so that every bid is judged by the same rules. " +
			"Nothing was updated; its times, name and metadata can still change.",
		fields.map((path) => ({ path, message: "Cannot change once the auction has a bid" })),
	);
