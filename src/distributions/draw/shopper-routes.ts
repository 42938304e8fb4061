/** The contracts of the shopper's side of a draw (`/consumer/v1/draws`): enter, leave, status, and the public proof. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { empty, errors, json, optionalJsonBody, SECURITY } from "../../http/openapi";
import { idParam } from "../../lib/schemas";
import { ACCESS_REFUSALS, enterBody } from "../access/schema";
import { identifyBy } from "../common/identify";
import { breaker } from "../limits/breaker";
import { consumerLimit, LIMIT_REFUSALS, whoLimit } from "../limits/consumer-limits";
import { drawLogProofQuery, drawLogProofSchema, drawProofSchema, drawStateSchema } from "./schema";

const tags = ["Consumer: draws"];
const security = SECURITY.consumer;
const request = { params: idParam };
const middleware = [consumerTokenAuth];

export const enter = createRoute({
	method: "post",
	path: "/{id}/enter",
	tags,
	summary: "Enter the draw (one entry per consumer; entering again returns it)",
	security,
	middleware: [consumerTokenAuth, consumerLimit("enter"), breaker],
	request: { ...request, body: optionalJsonBody(enterBody) },
	responses: {
		200: json(drawStateSchema),
		...errors({
			...ACCESS_REFUSALS,
			404: "Draw not found",
			409: "Draw not open / Draw closed / Draw full",
			429: LIMIT_REFUSALS.enter,
		}),
	},
});

export const leave = createRoute({
	method: "post",
	path: "/{id}/leave",
	tags,
	summary: "Withdraw the entry while the draw is OPEN",
	security,
	middleware,
	request,
	responses: { 200: json(drawStateSchema), ...errors() },
});

export const status = createRoute({
	method: "get",
	path: "/{id}/status",
	tags,
	summary: "ENTERED, WON, LOST, LEFT, CLAIMED or EXPIRED; winners get the grant and claimBy",
	description: "Without the access token, the entry's `ticket` in `X-Draw-Ticket` identifies the consumer.",
	security,
	middleware: [identifyBy("X-Draw-Ticket"), whoLimit("status")],
	request,
	responses: {
		200: json(drawStateSchema),
		...errors({ 401: "Invalid ticket", 404: "Draw not found / Not entered", 429: LIMIT_REFUSALS.status }),
	},
});

export const proof = createRoute({
	method: "get",
	path: "/{id}/proof",
	tags,
	summary:
		"The draw's public proof: chain and round R from creation, the log's head, the seal at close, the beacon and winners at the draw",
	description:
		"Served from a per-isolate snapshot at most one second old (`PUBLIC_SNAPSHOT_MS`): the draw's object sees one read per isolate a second however many verifiers fetch it. " +
		"Sent with a strong `ETag` over its bytes (`Cache-Control: no-cache`): a request whose `If-None-Match` names it gets `304` with no body. Once drawn, the proof is serialized once in the draw's object and sent as is until its status or the winners change (a backfill).",
	security: SECURITY.publishable,
	request,
	responses: {
		200: json(drawProofSchema),
		304: empty("Not modified: the `If-None-Match` ETag is the proof's current one"),
		...errors({ 404: "Draw not found" }),
	},
});

/** Streamed JSON (a million records never sit in memory), so the contract names no schema. */
export const log = createRoute({
	method: "get",
	path: "/{id}/log",
	tags,
	summary: "The draw's public entry log: every rules, enter and withdraw record, in order (entry ids only)",
	description:
		'Streams `{"drawId": …, "size": n, "root": …, "sealed": bool, "records": [{"type": "rules" | "enter" | "withdraw", …}, …]}` up to the head at the time of the request (the seal, once closed). Each record\'s leaf is SHA-256(0x00 ‖ its canonical JSON) in an RFC 9162 Merkle tree. `after=seq` resumes after a record already read.',
	security: SECURITY.publishable,
	request: { params: idParam, query: z.object({ after: z.coerce.number().int().min(-1).default(-1) }) },
	responses: { 200: empty(), ...errors({ 404: "Draw not found" }) },
});

export const logProof = createRoute({
	method: "get",
	path: "/{id}/log/proof",
	tags,
	summary: "RFC 9162 proofs on the entry log: inclusion of record `seq`, or consistency `from` → `size`",
	security: SECURITY.publishable,
	request: { params: idParam, query: drawLogProofQuery },
	responses: {
		200: json(drawLogProofSchema),
		...errors({ 400: "Size, seq or from beyond the log", 404: "Draw not found" }),
	},
});

export const live = createRoute({
	method: "get",
	path: "/{id}/live",
	tags,
	summary: "WebSocket: the draw's seal, beacon wait and result as they happen",
	description:
		"`?key=pk_…`. Messages: `draw` — the proof's headline (status, round R and its time, the log's head, the signed seal from close, `awaitingBeacon`, `drawnAt`) on connect and at every change (sealed, resealed by a draw-now, awaiting the beacon, drawn); `ping` → `pong`. Other frames get no reply. After `drawn`, an entrant fetches its own status.",
	security: SECURITY.publishable,
	request,
	responses: {
		101: empty(),
		...errors({ 404: "Draw not found", 426: "Upgrade required", 429: LIMIT_REFUSALS.connects }),
	},
});
