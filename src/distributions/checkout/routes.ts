/** `GET /consumer/v1/checkout/:distributionId`: sends a consumer holding a live grant to the merchant's checkout. */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { z } from "zod";
import type { ConsumerEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { conflict, notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import type { AuctionReply } from "../auction/object";
import { auctionRef } from "../auction/shopper-routes";
import { drawRef } from "../draw/shopper-routes";
import { checkoutLink, checkoutTarget } from "./service";

/** The consumer's current grant for the distribution, from whichever engine runs it. */
async function admissionToken(env: Env, organizationId: string, distributionId: string, consumerId: string) {
	if (distributionId.startsWith("queue_")) {
		const reply = await env.QUEUE_OBJECT.getByName(distributionId).state(organizationId, { consumerId });
		return reply.ok ? reply.value.admissionToken : undefined;
	}
	if (distributionId.startsWith("draw_")) {
		const reply = await drawRef(env, distributionId).state(organizationId, consumerId);
		return reply.ok ? reply.value.admissionToken : undefined;
	}
	// RPC results intersect with Disposable, which defeats narrowing on `ok`; the shape is AuctionReply.
	const reply = (await auctionRef(env, distributionId).bidderState(organizationId, consumerId)) as AuctionReply<{
		admissionToken?: string;
	}>;
	return reply.ok ? reply.value.admissionToken : undefined;
}

export const checkoutRoutes = new Hono<ConsumerEnv>().get(
	"/:distributionId",
	doc({
		tags: ["Consumer: checkout"],
		security: "consumer",
		summary: "Redirect (302) to the merchant's checkout with the consumer's live grant",
		description: "Browsers may pass the credentials as `?key=pk_…&token=…`.",
		ok: [302, null],
		errors: { 404: "Distribution not found", 409: "No admission / No checkout URL" },
	}),
	validator("param", z.object({ distributionId: z.string().min(1) }), onInvalid),
	consumerTokenAuth,
	async (c) => {
		const { distributionId } = c.req.valid("param");
		const org = c.get("tenant").organizationId;
		const target = await checkoutTarget(c.env, org, distributionId);
		if (!target) throw notFound("Distribution");
		const token = await admissionToken(c.env, org, distributionId, c.get("consumerId"));
		if (!token) throw conflict("No admission", "This consumer holds no live admission for this distribution.");
		const link = checkoutLink(target, distributionId, c.get("consumerId"), token);
		if (!link) throw conflict("No checkout URL", "Set checkoutUrl on the experience or the sequence.");
		return c.redirect(link, 302);
	},
);
