/**
 * The contracts of the bidder's side of an auction (`/consumer/v1/auctions`): public state,
 * bids, buy-now, own status, live prices and the audit log.
 */
import { createRoute } from "@hono/zod-openapi";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { empty, errors, json, jsonBody, optionalJsonBody, SECURITY } from "../../http/openapi";
import { idParam } from "../../lib/schemas";
import { ACCESS_REFUSALS, enterBody } from "../access/schema";
import { identifyBy } from "../common/identify";
import { breaker } from "../limits/breaker";
import { consumerLimit, LIMIT_REFUSALS, whoLimit } from "../limits/consumer-limits";
import { auctionLogSchema, auctionPublicSchema, bidBody, bidderStateSchema } from "./schema";

const tags = ["Consumer: auctions"];
const security = SECURITY.consumer;
const request = { params: idParam };

export const publicState = createRoute({
	method: "get",
	path: "/{id}",
	tags,
	summary: "Public state of an auction",
	description:
		"Served from a per-isolate snapshot at most one second old (`PUBLIC_SNAPSHOT_MS`), so a crowd refreshing the page costs the auction one read per isolate a second; the live socket pushes every price change at once.",
	security: SECURITY.publishable,
	request,
	responses: { 200: json(auctionPublicSchema), ...errors() },
});

/** The token is checked after the body (see the handler), so its middleware is not here. */
export const bid = createRoute({
	method: "post",
	path: "/{id}/bids",
	tags,
	summary: "Place a bid (optionally with a proxy maximum); an idempotency key makes retries safe",
	description:
		"The answer carries `head`: the log's head right after this bid, signed (keep it; `fanfare.auctions.verify` checks the published log against it).",
	security,
	request: { params: idParam, body: jsonBody(bidBody) },
	responses: {
		200: json(bidderStateSchema),
		...errors({
			...ACCESS_REFUSALS,
			404: "Auction not found",
			409: "Bid too low / Auction not open / Auction closed",
			422: "Idempotency key reused",
			429: LIMIT_REFUSALS.bids,
		}),
	},
});

export const buyNow = createRoute({
	method: "post",
	path: "/{id}/buy-now",
	tags,
	summary: "Win at once at buyNowPrice (while the price is below it); the auction settles",
	security,
	middleware: [consumerTokenAuth, consumerLimit("bids"), breaker],
	request: { ...request, body: optionalJsonBody(enterBody) },
	responses: {
		200: json(bidderStateSchema),
		...errors({ ...ACCESS_REFUSALS, 409: "Buy now unavailable / Auction closed", 429: LIMIT_REFUSALS.bids }),
	},
});

export const status = createRoute({
	method: "get",
	path: "/{id}/status",
	tags,
	summary: "NOT_BID, BIDDING, WINNING, OUTBID, WON or LOST, your maximum, and the grant once won",
	description: "Without the access token, the bidder's `ticket` in `X-Auction-Ticket` identifies the consumer.",
	security,
	middleware: [identifyBy("X-Auction-Ticket"), whoLimit("status")],
	request,
	responses: {
		200: json(bidderStateSchema),
		...errors({ 401: "Invalid ticket", 404: "Auction not found", 429: LIMIT_REFUSALS.status }),
	},
});

export const log = createRoute({
	method: "get",
	path: "/{id}/log",
	tags,
	summary: "The hash-chained bid log (fanfare-edge/auction-v2), readable at any time",
	description:
		"Bidders by pseudonym, amounts in minor units. The chain starts from a genesis committing to the algorithm, the auction, its rules (the reserve as a commitment) and times, fixed at the first bid; " +
		"time changes after it (a merchant's, a soft-close extension) are entries too. While the auction runs an explicit bid shows a salted commitment to its maximum, never the maximum; " +
		"once SETTLED the maxima, their salts, the rules and the reserve's salt are revealed. Check it with `fanfare.auctions.verify(id)` (SDK: chain, commitments, the signed heads you hold) " +
		"or offline with `npm run verify:auction -- log.json [heads.json] [jwks.json]` (also replays every bid against the rules and times).",
	security: SECURITY.publishable,
	request,
	responses: { 200: json(auctionLogSchema), ...errors({ 404: "Auction not found" }) },
});

export const live = createRoute({
	method: "get",
	path: "/{id}/live",
	tags,
	summary: "WebSocket: every price change, extension and the final result",
	description:
		"`?key=pk_…` (and optionally `&token=…`). Messages: `price` (the public state with the signed `head` of the log) on connect and at every change, `extended`, `settled`; `ping` → `pong`. Any other frame is dropped without a reply.",
	security: SECURITY.publishable,
	request,
	responses: { 101: empty(), ...errors({ 429: LIMIT_REFUSALS.connects }) },
});
