/**
 * Where an admitted or winning consumer checks out: the sequence's checkoutUrl, else
 * its experience's, with the grant and the consumer, product and distribution ids
 * added as query parameters.
 */
export interface CheckoutTarget {
	checkoutUrl: string | null;
	productId: string | null;
}

/**
 * The distribution's checkout URL and product, or null if it is not this organization's.
 * Read fresh each time (no cache): orders take stock from this product, and a merchant's
 * change must apply at once. Only consumers holding a grant reach this query.
 */
export async function checkoutTarget(env: Env, organizationId: string, distributionId: string) {
	const row = await env.DB.prepare(
		`SELECT COALESCE(s.checkout_url, e.checkout_url) AS checkoutUrl, s.product_id AS productId
		   FROM distributions d JOIN sequences s ON s.id = d.sequence_id JOIN experiences e ON e.id = s.experience_id
		  WHERE d.id = ? AND d.organization_id = ?`,
	)
		.bind(distributionId, organizationId)
		.first<CheckoutTarget>();
	return row ?? null;
}

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

/** Adds `checkoutUrl` to a consumer state that carries a grant (queue admitted, draw or auction won). */
export async function withCheckout<T extends { consumerId: string; admissionToken?: string }>(
	env: Env,
	organizationId: string,
	distributionId: string,
	state: T,
): Promise<T & { checkoutUrl?: string }> {
	if (!state.admissionToken) return state;
	const target = await checkoutTarget(env, organizationId, distributionId);
	const link = target && checkoutLink(target, distributionId, state.consumerId, state.admissionToken);
	return link ? { ...state, checkoutUrl: link } : state;
}
