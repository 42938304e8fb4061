/**
 * Where an admitted or winning consumer checks out: the sequence's checkoutUrl, else
 * its experience's, with the grant and the consumer, product and distribution ids
 * added as query parameters.
 */

import { bindState } from "../admissions/session-binding";
import type { AuctionReply } from "../auction/object";
import { engineRef } from "../common/engine";
import type { DistributionType } from "../common/status";
import { type CheckoutTarget, checkoutTarget } from "./repo";

export function checkoutLink(
	target: CheckoutTarget,
	distributionId: string,
	consumerId: string,
	admissionToken: string,
) {
	if (!target.checkoutUrl) return null;
	const url = new URL(target.checkoutUrl);
	url.searchParams.set("admissionToken", admissionToken);
	url.searchParams.set("consumerId", consumerId);
	url.searchParams.set("distributionId", distributionId);
	if (target.productId) url.searchParams.set("productId", target.productId);
	return url.toString();
}

/**
 * Adds `checkoutUrl` to a consumer state that carries a grant (queue admitted, draw or auction won),
 * the grant bound to the shopper's session first when its access token has one (`sessionId`).
 */
export async function withCheckout<T extends { consumerId: string; admissionToken?: string }>(
	env: Env,
	organizationId: string,
	distributionId: string,
	unbound: T,
	sessionId?: string | null,
): Promise<T & { checkoutUrl?: string }> {
	if (!unbound.admissionToken) return unbound;
	const state = await bindState(env.JWT_SIGNING_KEY, unbound, sessionId);
	if (!state.admissionToken) return state;
	const target = await checkoutTarget(env.DB, organizationId, distributionId);
	const link = target && checkoutLink(target, distributionId, state.consumerId, state.admissionToken);
	return link ? { ...state, checkoutUrl: link } : state;
}

/** The consumer's current grant for the distribution, from whichever engine runs it. */
export async function admissionToken(
	env: Env,
	organizationId: string,
	type: DistributionType,
	distributionId: string,
	consumerId: string,
): Promise<string | undefined> {
	if (type === "queue") {
		const reply = await engineRef(env, "queue", distributionId).state(organizationId, { consumerId });
		return reply.ok ? reply.value.admissionToken : undefined;
	}
	if (type === "draw") {
		const reply = await engineRef(env, "draw", distributionId).state(organizationId, consumerId);
		return reply.ok ? reply.value.admissionToken : undefined;
	}
	// RPC typing cannot carry the bidder's state (a plain record); the shape is AuctionReply.
	const ref = engineRef(env, "auction", distributionId);
	const reply = (await ref.bidderState(organizationId, consumerId)) as AuctionReply<{ admissionToken?: string }>;
	return reply.ok ? reply.value.admissionToken : undefined;
}
