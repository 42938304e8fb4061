/** The bidder's side of an auction: public state, bids, buy-now, own status, live prices and the audit log. */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import type { ConsumerEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { ApiError, conflict, notFound, upgradeOrProblem } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { isId } from "../../lib/ids";
import { fromMinor, toMinor } from "../../lib/money";
import { idParam } from "../../lib/schemas";
import { withCheckout } from "../checkout/service";
import type { AuctionError, AuctionReply } from "./object";
import { auctionPublicSchema, bidBody, bidderStateSchema } from "./schema";

function auctionError(reply: Extract<AuctionReply<unknown>, { ok: false }>): ApiError {
	const next = reply.minimumNextBid == null ? "" : ` The minimum next bid is ${fromMinor(reply.minimumNextBid)}.`;
	const errors: Record<AuctionError, () => ApiError> = {
		not_found: () => notFound("Auction"),
		not_open: () => conflict("Auction not open", "Bidding has not started."),
		closed: () => conflict("Auction closed", "Bidding has ended."),
		too_low: () => conflict("Bid too low", `The bid is below the minimum next bid.${next}`),
		buy_now_unavailable: () =>
			conflict("Buy now unavailable", "This auction has no buy-now price, or the price has passed it."),
		not_settled: () => conflict("Auction not settled", "The bid log is published once the auction settles."),
		key_reused: () =>
			new ApiError(
				422,
				"Idempotency key reused",
				"This idempotency key was already used for a different bid; use a new key.",
			),
	};
	return errors[reply.error]();
}

export function unwrapAuction<T>(reply: AuctionReply<T>): T {
	if (!reply.ok) throw auctionError(reply);
	return reply.value;
}

/** Bids and buy-nows: a replayed idempotency key is flagged as on the merchant API. */
function bidResponse<T>(
	c: { header: (name: string, value: string) => void; json: (body: T) => Response },
	reply: AuctionReply<T>,
) {
	const value = unwrapAuction(reply);
	if (reply.ok && reply.replayed) c.header("Idempotent-Replayed", "true");
	return c.json(value);
}

export function auctionRef(env: Env, id: string) {
	if (!isId("auction", id)) throw notFound("Auction");
	return env.AUCTION_OBJECT.getByName(id);
}

const tags = ["Consumer: auctions"];
const security = "consumer" as const;
const idempotencyKey = (c: { req: { header: (n: string) => string | undefined } }) =>
	c.req.header("X-Idempotency-Key") ?? c.req.header("Idempotency-Key") ?? null;

export const consumerAuctionRoutes = new Hono<ConsumerEnv>()
	.get(
		"/:id",
		doc({ tags, security: "publishable", summary: "Public state of an auction", ok: [200, auctionPublicSchema] }),
		validator("param", idParam, onInvalid),
		async (c) => {
			const state = await auctionRef(c.env, c.req.valid("param").id).publicState(c.get("tenant").organizationId);
			if (!state) throw notFound("Auction");
			return c.json(state);
		},
	)
	.post(
		"/:id/bids",
		doc({
			tags,
			security,
			summary: "Place a bid (optionally with a proxy maximum); an idempotency key makes retries safe",
			ok: [200, bidderStateSchema],
			errors: {
				404: "Auction not found",
				409: "Bid too low / Auction not open / Auction closed",
				422: "Idempotency key reused",
			},
		}),
		validator("param", idParam, onInvalid),
		validator("json", bidBody, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const { amount, maxAmount } = c.req.valid("json");
			const ref = auctionRef(c.env, c.req.valid("param").id);
			const reply = await ref.bid(
				c.get("tenant").organizationId,
				c.get("consumerId"),
				toMinor(amount),
				maxAmount == null ? null : toMinor(maxAmount),
				idempotencyKey(c),
			);
			return bidResponse(c, reply);
		},
	)
	.post(
		"/:id/buy-now",
		doc({
			tags,
			security,
			summary: "Win at once at buyNowPrice (while the price is below it); the auction settles",
			ok: [200, bidderStateSchema],
			errors: { 409: "Buy now unavailable / Auction closed" },
		}),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const ref = auctionRef(c.env, c.req.valid("param").id);
			return c.json(
				unwrapAuction(await ref.buyNow(c.get("tenant").organizationId, c.get("consumerId"), idempotencyKey(c))),
			);
		},
	)
	.get(
		"/:id/status",
		doc({
			tags,
			security,
			summary: "NOT_BID, BIDDING, WINNING, OUTBID, WON or LOST, your maximum, and the grant once won",
			ok: [200, bidderStateSchema],
		}),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const { id } = c.req.valid("param");
			const org = c.get("tenant").organizationId;
			const state = unwrapAuction(await auctionRef(c.env, id).bidderState(org, c.get("consumerId")));
			return c.json(await withCheckout(c.env, org, id, state as { consumerId: string; admissionToken?: string }));
		},
	)
	.get(
		"/:id/log",
		doc({
			tags,
			security: "publishable",
			summary: "The hash-chained bid log with pseudonymous bidders, after settlement",
			description: "Check it offline with `npm run verify:auction -- log.json`.",
			ok: [200, z.object({}).passthrough()],
			errors: { 409: "Auction not settled" },
		}),
		validator("param", idParam, onInvalid),
		async (c) =>
			c.json(unwrapAuction(await auctionRef(c.env, c.req.valid("param").id).log(c.get("tenant").organizationId))),
	)
	.get(
		"/:id/live",
		doc({
			tags,
			security: "publishable",
			summary: "WebSocket: every price change, extension and the final result",
			description:
				"`?key=pk_…` (and optionally `&token=…`). Messages: `price`, `extended`, `settled`; `ping` → `pong`.",
			ok: [101, null],
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
				throw new ApiError(426, "Upgrade required", "Connect with a WebSocket client.", undefined, {
					Upgrade: "websocket",
				});
			}
			const ref = auctionRef(c.env, c.req.valid("param").id);
			const headers = new Headers({ Upgrade: "websocket", "X-Organization-Id": c.get("tenant").organizationId });
			return upgradeOrProblem(await ref.fetch(new Request(c.req.url, { headers })));
		},
	);
