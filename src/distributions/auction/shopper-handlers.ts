/** What the bidder's auction routes do: the auction's object, with the checkout link once a bidder has won. */
import type { MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { z } from "zod";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { toMinor } from "../../lib/money";
import { publicSnapshotMs, Snapshots } from "../../lib/snapshot";
import { withCheckout } from "../checkout/service";
import { afterValidation } from "../common/after-validation";
import { engineRef, unwrap } from "../common/engine";
import { passGates } from "../common/gates";
import type { EntryEnv } from "../common/identify";
import { connectLimited, requireWebSocket } from "../common/live";
import { ticketOnly, withoutGrant } from "../common/tickets";
import { breaker } from "../limits/breaker";
import { consumerLimit } from "../limits/consumer-limits";
import type { AuctionObject, AuctionReply } from "./object";
import { AUCTION_ERRORS } from "./refusals";
import type { auctionLogSchema, bidderStateSchema } from "./schema";
import type * as routes from "./shopper-routes";

// EntryEnv: the status route also knows the bidder by ticket (`who`); the others by token.
type Handler<R extends (typeof routes)[keyof typeof routes]> = AppRouteHandler<R, EntryEnv>;

/**
 * An auction reply as the API documents it. The object builds a bidder's state (and the
 * log) as plain records, which RPC typing cannot carry through; their shape is the schema's.
 */
const declared = <T>(reply: unknown) => reply as AuctionReply<T>;
type BidderState = z.infer<typeof bidderStateSchema>;

/** Bids and buy-nows take the same idempotency keys as the merchant API. */
const idempotencyKey = (c: { req: { header: (n: string) => string | undefined } }) =>
	c.req.header("X-Idempotency-Key") ?? c.req.header("Idempotency-Key") ?? null;

/** Public states served per isolate (lib/snapshot.ts): the auction's object sees one read per isolate a second, not one per GET. */
const publicStates = new Snapshots<unknown>();

export const publicState: Handler<typeof routes.publicState> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const state = (await publicStates.get(`${org}|${id}`, publicSnapshotMs(c.env), () =>
		engineRef(c.env, "auction", id).publicState(org),
	)) as Awaited<ReturnType<AuctionObject["publicState"]>>;
	if (!state) throw notFound("Auction");
	return c.json(state, 200);
};

/** A bid or buy-now through this isolate moved the price: its next public read asks the object. */
const forgetPublic = (org: string, id: string) => publicStates.forget(`${org}|${id}`);

const placeBid: Handler<typeof routes.bid> = async (c) => {
	const { amount, maxAmount, accessCode } = c.req.valid("json");
	const { id } = c.req.valid("param");
	await passGates(c, "auction", id, "bid", accessCode);
	const ref = engineRef(c.env, "auction", id);
	const reply = declared<BidderState>(
		await ref.bid(
			c.get("tenant").organizationId,
			c.get("consumerId"),
			toMinor(amount),
			maxAmount == null ? null : toMinor(maxAmount),
			idempotencyKey(c),
		),
	);
	const org = c.get("tenant").organizationId;
	forgetPublic(org, id);
	const state = unwrap(reply, AUCTION_ERRORS);
	// A replayed idempotency key is flagged as on the merchant API.
	if (reply.ok && reply.replayed) c.header("Idempotent-Replayed", "true");
	// A bid at the buy-now price wins at once, and a replay after the close answers with the win: its grant is bound.
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};
// EntryEnv only adds `who`, so the consumer-token middleware runs on it as is.
const tokenAuth: MiddlewareHandler<EntryEnv> = (c, next) => consumerTokenAuth(c as never, next);
const bidLimit: MiddlewareHandler<EntryEnv> = (c, next) => consumerLimit("bids")(c as never, next);
const bidBreaker: MiddlewareHandler<EntryEnv> = (c, next) => breaker(c as never, next);
export const bid = afterValidation(every(tokenAuth, bidLimit, bidBreaker), placeBid);

export const buyNow: Handler<typeof routes.buyNow> = async (c) => {
	const { id } = c.req.valid("param");
	await passGates(c, "auction", id, "bid", c.req.valid("json").accessCode);
	const ref = engineRef(c.env, "auction", id);
	const reply = declared<BidderState>(
		await ref.buyNow(c.get("tenant").organizationId, c.get("consumerId"), idempotencyKey(c)),
	);
	const org = c.get("tenant").organizationId;
	forgetPublic(org, id);
	// As a bid at the buy-now price: the grant bound to the session, with the checkout link.
	return c.json(await withCheckout(c.env, org, id, unwrap(reply, AUCTION_ERRORS), c.get("sessionId")), 200);
};

export const status: Handler<typeof routes.status> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const who = c.get("who");
	const reply = declared<BidderState>(await engineRef(c.env, "auction", id).bidderState(org, who));
	const state = unwrap(reply, AUCTION_ERRORS);
	// A ticket alone reads the bidder's state but never carries the grant away: that takes the token.
	if (ticketOnly(who)) return c.json(withoutGrant(state), 200);
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};

export const log: Handler<typeof routes.log> = async (c) => {
	const ref = engineRef(c.env, "auction", c.req.valid("param").id);
	const reply = declared<z.infer<typeof auctionLogSchema>>(await ref.log(c.get("tenant").organizationId));
	return c.json(unwrap(reply, AUCTION_ERRORS), 200);
};

export const live: Handler<typeof routes.live> = async (c) => {
	requireWebSocket(c.req.header("Upgrade"));
	const ref = engineRef(c.env, "auction", c.req.valid("param").id);
	return connectLimited(c, ref, { "X-Organization-Id": c.get("tenant").organizationId }, null);
};
