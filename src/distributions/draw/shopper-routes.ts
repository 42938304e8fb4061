/** The contracts of the shopper's side of a draw (`/consumer/v1/draws`): enter, leave, status, and the public proof. */
import { createRoute } from "@hono/zod-openapi";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { errors, json, SECURITY } from "../../http/openapi";
import { idParam } from "../../lib/schemas";
import { identifyBy } from "../common/identify";
import { drawProofSchema, drawStateSchema } from "./schema";

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
	middleware,
	request,
	responses: {
		200: json(drawStateSchema),
		...errors({ 404: "Draw not found", 409: "Draw not open / Draw closed / Draw full" }),
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
	middleware: [identifyBy("X-Draw-Ticket")],
	request,
	responses: { 200: json(drawStateSchema), ...errors({ 401: "Invalid ticket", 404: "Draw not found / Not entered" }) },
});

export const proof = createRoute({
	method: "get",
	path: "/{id}/proof",
	tags,
	summary: "The draw's public proof: commitment, then entry count and Merkle root, then seed and winners",
	security: SECURITY.publishable,
	request,
	responses: { 200: json(drawProofSchema), ...errors({ 404: "Draw not found" }) },
});
