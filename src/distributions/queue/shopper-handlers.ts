/** What the shopper's queue routes do: the queue's object, or — for a waiting poller with a ticket — the edge snapshot. */

import { unauthorized } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { isId } from "../../lib/ids";
import { withCheckout } from "../checkout/service";
import { afterValidation } from "../common/after-validation";
import { engineRef, unwrap } from "../common/engine";
import { passGates } from "../common/gates";
import { connectLimited, requireWebSocket } from "../common/live";
import { ticketOnly, withoutGrant } from "../common/tickets";
import { identify, type QueueEnv } from "./identify";
import { forgetSnapshot, waitingStateFromTicket } from "./progress";
import { QUEUE_ERRORS } from "./refusals";
import { shardOf, shardOfWho } from "./shards/edge";
import type * as routes from "./shopper-routes";

type Handler<R extends (typeof routes)[keyof typeof routes]> = AppRouteHandler<R, QueueEnv>;

export const enter: Handler<typeof routes.enter> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	// A queue is the one place a failed challenge may still get in: at the back, if the merchant chose it.
	const verdict = await passGates(c, "queue", id, "enter", c.req.valid("json").accessCode, true);
	const lane = verdict === "back_of_line" ? 1 : 0;
	// A sharded queue (entryShards > 1): the consumer's shard stores the arrival and forwards it.
	const shard = await shardOf(c.env, org, id, c.get("consumerId"));
	const target = shard ?? engineRef(c.env, "queue", id);
	const state = unwrap(await target.enter(org, c.get("consumerId"), lane), QUEUE_ERRORS);
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};

/** The hot path: a waiting consumer polling with its ticket never reaches the object. */
export const status: Handler<typeof routes.status> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const who = c.get("who");
	if (who.ticket && isId("queue", id)) {
		const tokenConsumer = "consumerId" in who ? who.consumerId : undefined;
		const waiting = await waitingStateFromTicket(c.env, org, id, who.ticket, tokenConsumer);
		if (waiting) return c.json(waiting, 200);
	}
	let reply = await engineRef(c.env, "queue", id).state(org, who);
	// Not in the queue's line yet: an arrival still waiting in its shard (≤ one flush) answers from there.
	if (!reply.ok && reply.error === "not_entered") {
		const shard = await shardOfWho(c.env, org, id, who);
		if (shard) reply = await shard.state(org, who);
	}
	const state = unwrap(reply, QUEUE_ERRORS);
	// A ticket alone reads the place but never carries the grant away: that takes the consumer's token.
	if (ticketOnly(who)) return c.json(withoutGrant(state), 200);
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};

export const leave: Handler<typeof routes.leave> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const who = c.get("who");
	if (ticketOnly(who)) throw unauthorized("Leaving the line takes the consumer's access token, not a ticket.");
	let reply = await engineRef(c.env, "queue", id).leave(org, who);
	if (!reply.ok && reply.error === "not_entered") {
		const shard = await shardOfWho(c.env, org, id, who);
		if (shard) reply = await shard.leave(org, who);
	}
	const state = unwrap(reply, QUEUE_ERRORS);
	forgetSnapshot(org, id);
	return c.json(state, 200);
};

const openLive: Handler<typeof routes.live> = async (c) => {
	requireWebSocket(c.req.header("Upgrade"));
	const ref = engineRef(c.env, "queue", c.req.valid("param").id);
	const who = c.get("who");
	const headers: Record<string, string> = { "X-Organization-Id": c.get("tenant").organizationId };
	if ("consumerId" in who) headers["X-Consumer-Id"] = who.consumerId;
	if (who.ticket) headers["X-Queue-Ticket"] = who.ticket;
	// A session-bound token's grant must be bound at the edge: its socket never carries one (fetch status).
	if (c.get("sessionId")) headers["X-Grant-Withheld"] = "1";
	// A sharded queue's object must know the consumer before its socket opens: a pending arrival is forwarded first.
	const settle = async () => {
		const shard = await shardOfWho(c.env, c.get("tenant").organizationId, c.req.valid("param").id, who);
		if (shard && "consumerId" in who) await shard.settle(who.consumerId);
	};
	// A ticket alone is counted as its own consumer, as on status.
	return connectLimited(c, ref, headers, "consumerId" in who ? who.consumerId : `ticket:${who.ticket}`, settle);
};
export const live = afterValidation(identify, openLive);
