/** The contracts of the shopper's side of a queue (`/consumer/v1/queues`): enter, status, leave, and the live WebSocket. */
import { createRoute } from "@hono/zod-openapi";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { empty, errors, json, optionalJsonBody, SECURITY } from "../../http/openapi";
import { idParam, liveQuery } from "../../lib/schemas";
import { ACCESS_REFUSALS, enterBody } from "../access/schema";
import { scaledBreaker } from "../limits/breaker";
import { consumerLimit, LIMIT_REFUSALS, whoLimit } from "../limits/consumer-limits";
import { identify } from "./identify";
import { queueStateSchema } from "./schema";
import { entryObjects } from "./shards/edge";

/** A sharded queue takes k times the enters a second: each of its k shard objects is guarded. */
const enterBreaker = scaledBreaker((c) => entryObjects(c.env, c.get("tenant").organizationId, c.req.param("id") ?? ""));

const tags = ["Consumer: queues"];
const security = SECURITY.consumer;
const request = { params: idParam };

export const enter = createRoute({
	method: "post",
	path: "/{id}/enter",
	tags,
	summary: "Enter the queue (entering again returns the same place)",
	security,
	middleware: [consumerTokenAuth, consumerLimit("enter"), enterBreaker],
	request: { ...request, body: optionalJsonBody(enterBody) },
	responses: {
		200: json(queueStateSchema),
		...errors({
			...ACCESS_REFUSALS,
			404: "Queue not found",
			409: "Queue not open / Queue closed",
			429: LIMIT_REFUSALS.enter,
		}),
	},
});

export const status = createRoute({
	method: "get",
	path: "/{id}/status",
	tags,
	summary: "The consumer's status, place, estimated wait, and grant once admitted",
	description:
		"Send the ticket (X-Queue-Ticket) when polling: a consumer still waiting is then answered at the edge " +
		"from a snapshot of the queue at most one second old.",
	security,
	middleware: [identify, whoLimit("status")],
	request,
	responses: {
		200: json(queueStateSchema),
		...errors({ 404: "Queue not found / Not in queue", 429: LIMIT_REFUSALS.status }),
	},
});

export const leave = createRoute({
	method: "post",
	path: "/{id}/leave",
	tags,
	summary: "Leave the queue",
	security,
	middleware: [identify],
	request,
	responses: { 200: json(queueStateSchema), ...errors({ 404: "Not in queue" }) },
});

/** Identified after the query is validated (see the handler), so its middleware is not here. */
export const live = createRoute({
	method: "get",
	path: "/{id}/live",
	tags,
	summary: "WebSocket: now-serving updates, and the grant the moment it is issued",
	description:
		"Upgrade with `?key=pk_…&token=…` (or `&ticket=…`). Messages are JSON: `status` on connect, " +
		"`progress` {nowServing, queued} as the line moves, `admitted` with the admissionToken. Send `ping` for `pong`, " +
		"`status` for the status again; any other frame is dropped without a reply.",
	security,
	request: { params: idParam, query: liveQuery },
	responses: {
		101: empty(),
		...errors({ 404: "Queue not found", 426: "Upgrade required", 429: LIMIT_REFUSALS.connects }),
	},
});
