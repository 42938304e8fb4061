/** What the checkout redirect does: the distribution's target, the consumer's live grant, then the link. */
import type { ConsumerEnv } from "../../http/env";
import { conflict, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { grantRefused } from "../admissions/refusals";
import { bindGrant } from "../admissions/session-binding";
import { checkoutTarget } from "./repo";
import type * as routes from "./routes";
import { admissionToken, checkoutLink } from "./service";

export const checkout: AppRouteHandler<typeof routes.checkout, ConsumerEnv> = async (c) => {
	const { distributionId } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const consumerId = c.get("consumerId");
	const target = await checkoutTarget(c.env.DB, org, distributionId);
	if (!target) throw notFound("Distribution");
	const unbound = await admissionToken(c.env, org, target.type, distributionId, consumerId);
	if (!unbound) throw grantRefused("unknown", "consumer");
	const token = await bindGrant(c.env.JWT_SIGNING_KEY, unbound, c.get("sessionId"));
	const link = checkoutLink(target, distributionId, consumerId, token);
	if (!link) throw conflict("No checkout URL", "Set checkoutUrl on the experience or the sequence.");
	return c.redirect(link, 302);
};
