/**
 * Who is checking out: the access token's consumer, or — from a plain link, where no header
 * can be set — the holder of the grant in `?grant=`. The grant names its consumer and its
 * distribution and is signed, and it is what the merchant's checkout link carries anyway, so
 * a link with it puts no shopper credential in a URL that was not there already; the access
 * token never needs to be in one. An expired grant identifies no one, and a grant bound to a
 * session (`sid`) leaves bound to it: a copied link never yields a grant free of its session.
 */
import { createMiddleware } from "hono/factory";
import type { ConsumerEnv } from "../../http/env";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { unauthorized } from "../../http/problems";
import { readGrant, tokenExpired } from "../admissions/service";

export const checkoutIdentify = createMiddleware<ConsumerEnv>(async (c, next) => {
	const grant = c.req.query("grant");
	if (grant === undefined || c.req.header("Authorization") !== undefined) return consumerTokenAuth(c, next);
	const lookup = await readGrant(c.env, c.get("tenant"), grant);
	if (!lookup.ok || lookup.claims.dist !== c.req.param("distributionId")) {
		throw unauthorized("The grant is not valid for this distribution, or belongs to another organization.");
	}
	if (tokenExpired(lookup)) throw unauthorized("The grant has expired.");
	c.set("consumerId", lookup.claims.sub);
	// The grant keeps the session it was bound to: the redirect binds the consumer's grant to it again.
	c.set("sessionId", lookup.claims.sid ?? null);
	await next();
});
