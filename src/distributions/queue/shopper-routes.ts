/** The shopper's side of a queue: enter, status, leave, and the live WebSocket. */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { validator } from "hono-openapi";
import { liveQuery, queueStateSchema } from "../../catalog/consumers/shopper-schema";
import type { ConsumerEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { ApiError, conflict, notFound, upgradeOrProblem } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { isId } from "../../lib/ids";
import { idParam } from "../../lib/schemas";
import { withCheckout } from "../checkout/service";
import type { QueueError, QueueReply, Who } from "./object";
import { forgetSnapshot, waitingStateFromTicket } from "./progress";

type QueueEnv = ConsumerEnv & { Variables: { who: Who } };

const QUEUE_ERRORS: Record<QueueError, () => ApiError> = {
	not_found: () => notFound("Queue"),
	not_open: () => conflict("Queue not open", "This queue does not take entries yet; try again when it opens."),
	closed: () => conflict("Queue closed", "This queue no longer takes entries."),
	not_entered: () => new ApiError(404, "Not in queue", "This consumer has not entered this queue."),
	bad_ticket: () => new ApiError(401, "Invalid ticket", "The ticket is not one this queue issued to you."),
};

export function unwrapQueue<T>(reply: QueueReply<T>): T {
	if (!reply.ok) throw QUEUE_ERRORS[reply.error]();
	return reply.value;
}

/** The queue's object, once the id has the right shape (no object is created for junk ids). */
function queueRef(env: Env, id: string) {
	if (!isId("queue", id)) throw notFound("Queue");
	return env.QUEUE_OBJECT.getByName(id);
}

/** Who is asking: the access token's consumer, or — without a token — the holder of a position ticket. */
const identify = createMiddleware<QueueEnv>(async (c, next) => {
	// Query parameters only when there is a query: polls send headers, and parsing the URL costs.
	const hasQuery = c.req.url.includes("?");
	const ticket = c.req.header("X-Queue-Ticket") ?? (hasQuery ? c.req.query("ticket") : undefined);
	const hasToken = c.req.header("Authorization") !== undefined || (hasQuery && c.req.query("token") !== undefined);
	if (ticket && !hasToken) {
		c.set("who", { ticket });
		return next();
	}
	// QueueEnv only adds `who`, so the consumer-token middleware runs on it as is.
	return consumerTokenAuth(c as never, async () => {
		// A ticket sent along with the token must be this consumer's own.
		c.set("who", ticket ? { consumerId: c.get("consumerId"), ticket } : { consumerId: c.get("consumerId") });
		await next();
	});
});

const tags = ["Consumer: queues"];
const security = "consumer" as const;

export const consumerQueueRoutes = new Hono<QueueEnv>()
	.post(
		"/:id/enter",
		doc({
			tags,
			security,
			summary: "Enter the queue (entering again returns the same place)",
			ok: [200, queueStateSchema],
			errors: { 404: "Queue not found", 409: "Queue not open / Queue closed" },
		}),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const { id } = c.req.valid("param");
			const org = c.get("tenant").organizationId;
			return c.json(
				await withCheckout(c.env, org, id, unwrapQueue(await queueRef(c.env, id).enter(org, c.get("consumerId")))),
			);
		},
	)
	.get(
		"/:id/status",
		doc({
			tags,
			security,
			summary: "The consumer's status, place, estimated wait, and grant once admitted",
			description:
				"Send the ticket (X-Queue-Ticket) when polling: a consumer still waiting is then answered at the edge " +
				"from a snapshot of the queue at most one second old.",
			ok: [200, queueStateSchema],
			errors: { 404: "Queue not found / Not in queue" },
		}),
		validator("param", idParam, onInvalid),
		identify,
		async (c) => {
			const { id } = c.req.valid("param");
			const org = c.get("tenant").organizationId;
			const who = c.get("who");
			if (who.ticket && isId("queue", id)) {
				const tokenConsumer = "consumerId" in who ? who.consumerId : undefined;
				const waiting = await waitingStateFromTicket(c.env, org, id, who.ticket, tokenConsumer);
				if (waiting) return c.json(waiting);
			}
			return c.json(await withCheckout(c.env, org, id, unwrapQueue(await queueRef(c.env, id).state(org, who))));
		},
	)
	.post(
		"/:id/leave",
		doc({ tags, security, summary: "Leave the queue", ok: [200, queueStateSchema], errors: { 404: "Not in queue" } }),
		validator("param", idParam, onInvalid),
		identify,
		async (c) => {
			const { id } = c.req.valid("param");
			const org = c.get("tenant").organizationId;
			const reply = unwrapQueue(await queueRef(c.env, id).leave(org, c.get("who")));
			forgetSnapshot(org, id);
			return c.json(reply);
		},
	)
	.get(
		"/:id/live",
		doc({
			tags,
			security,
			summary: "WebSocket: now-serving updates, and the grant the moment it is issued",
			description:
				"Upgrade with `?key=pk_…&token=…` (or `&ticket=…`). Messages are JSON: `status` on connect, " +
				"`progress` {nowServing, queued} as the line moves, `admitted` with the admissionToken. Send `ping` for `pong`.",
			ok: [101, null],
			errors: { 404: "Queue not found", 426: "Upgrade required" },
		}),
		validator("param", idParam, onInvalid),
		validator("query", liveQuery, onInvalid),
		identify,
		async (c) => {
			if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
				throw new ApiError(426, "Upgrade required", "Connect with a WebSocket client.", undefined, {
					Upgrade: "websocket",
				});
			}
			const ref = queueRef(c.env, c.req.valid("param").id);
			const who = c.get("who");
			const headers = new Headers({ Upgrade: "websocket", "X-Organization-Id": c.get("tenant").organizationId });
			if ("consumerId" in who) headers.set("X-Consumer-Id", who.consumerId);
			if (who.ticket) headers.set("X-Queue-Ticket", who.ticket);
			return upgradeOrProblem(await ref.fetch(new Request(c.req.url, { headers })));
		},
	);
