/** The shopper's side of a draw: enter, leave, status, and the public proof. */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import type { ConsumerEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { ApiError, conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { isId } from "../../lib/ids";
import { idParam } from "../../lib/schemas";
import { withCheckout } from "../checkout/service";
import type { DrawError, DrawReply } from "./object";
import { drawProofSchema, drawStateSchema } from "./schema";

const DRAW_ERRORS: Record<DrawError, () => ApiError> = {
	not_found: () => notFound("Draw"),
	not_open: () => conflict("Draw not open", "This draw does not take entries yet."),
	closed: () => conflict("Draw closed", "This draw no longer takes entries or changes."),
	full: () => conflict("Draw full", "This draw has reached its maximum number of entries."),
	not_entered: () => new ApiError(404, "Not entered", "This consumer has not entered this draw."),
};

export function unwrapDraw<T>(reply: DrawReply<T>): T {
	if (!reply.ok) throw DRAW_ERRORS[reply.error]();
	return reply.value;
}

export function drawRef(env: Env, id: string) {
	if (!isId("draw", id)) throw notFound("Draw");
	return env.DRAW_OBJECT.getByName(id);
}

const tags = ["Consumer: draws"];
const security = "consumer" as const;

export const consumerDrawRoutes = new Hono<ConsumerEnv>()
	.post(
		"/:id/enter",
		doc({
			tags,
			security,
			summary: "Enter the draw (one entry per consumer; entering again returns it)",
			ok: [200, drawStateSchema],
			errors: { 404: "Draw not found", 409: "Draw not open / Draw closed / Draw full" },
		}),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const ref = drawRef(c.env, c.req.valid("param").id);
			return c.json(unwrapDraw(await ref.enter(c.get("tenant").organizationId, c.get("consumerId"))));
		},
	)
	.post(
		"/:id/leave",
		doc({ tags, security, summary: "Withdraw the entry while the draw is OPEN", ok: [200, drawStateSchema] }),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const ref = drawRef(c.env, c.req.valid("param").id);
			return c.json(unwrapDraw(await ref.leave(c.get("tenant").organizationId, c.get("consumerId"))));
		},
	)
	.get(
		"/:id/status",
		doc({
			tags,
			security,
			summary: "ENTERED, WON, LOST, LEFT, CLAIMED or EXPIRED; winners get the grant and claimBy",
			ok: [200, drawStateSchema],
			errors: { 404: "Draw not found / Not entered" },
		}),
		validator("param", idParam, onInvalid),
		consumerTokenAuth,
		async (c) => {
			const { id } = c.req.valid("param");
			const org = c.get("tenant").organizationId;
			return c.json(
				await withCheckout(c.env, org, id, unwrapDraw(await drawRef(c.env, id).state(org, c.get("consumerId")))),
			);
		},
	)
	.get(
		"/:id/proof",
		doc({
			tags,
			security: "publishable",
			summary: "The draw's public proof: commitment, then entry count and Merkle root, then seed and winners",
			ok: [200, drawProofSchema],
			errors: { 404: "Draw not found" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const proof = await drawRef(c.env, c.req.valid("param").id).proof(c.get("tenant").organizationId);
			if (!proof) throw notFound("Draw");
			return c.json(proof);
		},
	);
