/**
 * Telling queues their stock. A queue's object caps admission at the units left of its
 * sequence's product minus its live grants, so the worker tells it the units whenever they
 * change other than by its own orders (which the object counts itself, see onGrantUsed):
 * on create, when a product's inventory is set or the product deleted, and when a sequence
 * sells another product. Runs in the worker; owns no table and no schedule kind.
 */
import { engineRef } from "../common/engine";

/** Which queues to tell: those selling a product, those of a sequence, or one queue. */
export type StockScope = { productId: string } | { sequenceId: string } | { distributionId: string };

const SCOPES = { productId: "s.product_id", sequenceId: "s.id", distributionId: "d.id" } as const;

/**
 * Reads each unfinished queue in `scope` with its product's inventory (null: untracked, no
 * product, or the product deleted) and its recorded orders, in one statement, and tells its
 * object: the count lets it judge a read that raced an order (admission.ts `unitsLeft`). A queue
 * already COMPLETED admits nobody.
 */
export async function tellQueueStock(env: Env, organizationId: string, scope: StockScope): Promise<void> {
	const [key, value] = Object.entries(scope)[0] as [keyof typeof SCOPES, string];
	const { results } = await env.DB.prepare(
		`SELECT d.id AS id, p.inventory AS inventory,
		        (SELECT COUNT(*) FROM orders o WHERE o.organization_id = d.organization_id AND o.distribution_id = d.id) AS orders
		   FROM distributions d JOIN sequences s ON s.id = d.sequence_id
		   LEFT JOIN products p ON p.id = s.product_id AND p.organization_id = d.organization_id
		  WHERE d.organization_id = ? AND d.type = 'queue' AND d.completed_at IS NULL AND ${SCOPES[key]} = ?`,
	)
		.bind(organizationId, value)
		.all<{ id: string; inventory: number | null; orders: number }>();
	await Promise.all(results.map((q) => engineRef(env, "queue", q.id).setStock(q.inventory, q.orders)));
}
