/** What the shopper's draw routes do: the draw's object, with the checkout link once a consumer has won. */
import type { z } from "zod";
import { notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { withCheckout } from "../checkout/service";
import { engineRef, unwrap } from "../common/engine";
import type { EntryEnv } from "../common/identify";
import { DRAW_ERRORS } from "./refusals";
import type { drawProofSchema } from "./schema";
import type * as routes from "./shopper-routes";

// EntryEnv: the status route also knows the consumer by ticket (`who`); the others by token.
type Handler<R extends (typeof routes)[keyof typeof routes]> = AppRouteHandler<R, EntryEnv>;

export const enter: Handler<typeof routes.enter> = async (c) => {
	const ref = engineRef(c.env, "draw", c.req.valid("param").id);
	return c.json(unwrap(await ref.enter(c.get("tenant").organizationId, c.get("consumerId")), DRAW_ERRORS), 200);
};

export const leave: Handler<typeof routes.leave> = async (c) => {
	const ref = engineRef(c.env, "draw", c.req.valid("param").id);
	return c.json(unwrap(await ref.leave(c.get("tenant").organizationId, c.get("consumerId")), DRAW_ERRORS), 200);
};

export const status: Handler<typeof routes.status> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const state = unwrap(await engineRef(c.env, "draw", id).state(org, c.get("who")), DRAW_ERRORS);
	return c.json(await withCheckout(c.env, org, id, state), 200);
};

export const proof: Handler<typeof routes.proof> = async (c) => {
	const proof = await engineRef(c.env, "draw", c.req.valid("param").id).proof(c.get("tenant").organizationId);
	if (!proof) throw notFound("Draw");
	// The object types `algorithm` as a string; it is always the one the schema names.
	return c.json(proof as z.infer<typeof drawProofSchema>, 200);
};
