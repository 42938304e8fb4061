/** Where a distribution's consumers check out: read from its sequence and experience in D1. */
import type { DistributionType } from "../common/status";

export interface CheckoutTarget {
	type: DistributionType;
	checkoutUrl: string | null;
	productId: string | null;
}

/**
 * The distribution's type, checkout URL and product, or null if it is not this
 * organization's. Read fresh each time (no cache): orders take stock from this product,
 * and a merchant's change must apply at once. Only consumers holding a grant reach this query.
 */
export async function checkoutTarget(
	d1: D1Database,
	organizationId: string,
	distributionId: string,
): Promise<CheckoutTarget | null> {
	const row = await d1
		.prepare(
			`SELECT d.type AS type, COALESCE(s.checkout_url, e.checkout_url) AS checkoutUrl, s.product_id AS productId
			   FROM distributions d JOIN sequences s ON s.id = d.sequence_id JOIN experiences e ON e.id = s.experience_id
			  WHERE d.id = ? AND d.organization_id = ?`,
		)
		.bind(distributionId, organizationId)
		.first<CheckoutTarget>();
	return row ?? null;
}
