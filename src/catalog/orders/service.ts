/**
 * The order callback: an order consumes the consumer's live admission grant for the
 * distribution (single use), takes one unit of the product's stock (never below
 * zero) and marks the consumer COMPLETED in the distribution's object. The grant is
 * held first (duplicates stop there), then the stock and the order row change in one
 * D1 transaction, then the grant is used; if that fails after all, both are undone.
 */
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { db } from "../../db/client";
import { consumers } from "../../db/schema";
import { readGrant, tokenExpired } from "../../distributions/admissions/service";
import { checkoutTarget } from "../../distributions/checkout/service";
import { findDistribution } from "../../distributions/common/repo";
import { distributionRef } from "../../distributions/common/service";
import type { GrantCheck } from "../../distributions/kernel/grants";
import { newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { type ApiError, conflict, fieldError } from "../../http/problems";
import { newId } from "../../lib/ids";
import { fromMinor, toMinor } from "../../lib/money";
import type { createOrderBody } from "./schema";

const REFUSED: Record<Exclude<GrantCheck, { valid: true }>["reason"], () => ApiError> = {
	used: () => conflict("Admission already used", "This consumer's grant for the distribution was already used."),
	expired: () => conflict("Admission expired", "This consumer's grant for the distribution has expired."),
	revoked: () => conflict("Admission revoked", "This consumer left or was denied."),
	unknown: () => conflict("No admission", "This consumer holds no live admission for this distribution."),
};

export async function placeOrder(env: Env, tenant: Tenant, input: z.infer<typeof createOrderBody>) {
	const database = db(env.DB);
	const org = tenant.organizationId;
	const consumer = await database
		.select({ id: consumers.id })
		.from(consumers)
		.where(and(eq(consumers.organizationId, org), eq(consumers.id, input.consumerId)))
		.get();
	if (!consumer) throw fieldError("consumerId", "Unknown consumer");
	const distribution = await findDistribution(database, org, input.distributionId);
	if (!distribution) throw fieldError("distributionId", "Unknown distribution");
	const ref = distributionRef(env, distribution.type, distribution.id);

	if (distribution.type === "auction") {
		const price = await env.AUCTION_OBJECT.getByName(distribution.id).finalPrice();
		if (price != null && toMinor(input.totalAmount) !== price) {
			throw fieldError("totalAmount", `Must equal the auction's final price, ${fromMinor(price)}`);
		}
	}
	// A retried report of an order already recorded says so, rather than that the grant is used.
	const existing = await env.DB.prepare("SELECT 1 FROM orders WHERE organization_id = ? AND external_order_id = ?")
		.bind(org, input.externalOrderId)
		.first();
	if (existing) throw conflict("Order already exists", "An order with this externalOrderId was already reported.");

	let grantId: string | null;
	if (input.admissionToken) {
		const lookup = await readGrant(env, tenant, input.admissionToken);
		if (!lookup.ok || lookup.claims.sub !== consumer.id || lookup.claims.dist !== distribution.id) {
			throw fieldError("admissionToken", "Not a grant of this consumer for this distribution");
		}
		if (tokenExpired(lookup)) throw REFUSED.expired();
		grantId = lookup.claims.jti;
	} else {
		grantId = await ref.grantIdOf(consumer.id);
	}
	if (!grantId) throw REFUSED.unknown();
	// Held before any stock moves: a duplicate order on this grant is refused here.
	const check = await ref.holdGrant(consumer.id, grantId);
	if (!check.valid) throw REFUSED[check.reason]();

	const productId = (await checkoutTarget(env, org, distribution.id))?.productId ?? null;
	const id = newId("ord");
	const now = Date.now();
	const [inserted] = await env.DB.batch([
		env.DB.prepare(
			`INSERT INTO orders (id, organization_id, consumer_id, distribution_id, external_order_id, total_amount, created_at, updated_at)
			 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7
			  WHERE NOT EXISTS (SELECT 1 FROM products WHERE id = ?8 AND inventory IS NOT NULL AND inventory <= 0)
			 RETURNING id`,
		).bind(id, org, consumer.id, distribution.id, input.externalOrderId, toMinor(input.totalAmount), now, productId),
		env.DB.prepare(
			`UPDATE products SET inventory = inventory - 1, updated_at = ?1
			  WHERE id = ?2 AND inventory > 0 AND EXISTS (SELECT 1 FROM orders WHERE id = ?3)`,
		).bind(now, productId, id),
	]);
	if (!inserted.results.length) {
		await ref.releaseGrant(grantId);
		throw conflict("Out of stock", "The product of this distribution has no stock left.");
	}

	const used = await ref.completeGrant(consumer.id, grantId, { orderId: id, orderAmount: input.totalAmount });
	if (!used.valid) {
		await env.DB.batch([
			env.DB.prepare("DELETE FROM orders WHERE id = ?").bind(id),
			env.DB.prepare("UPDATE products SET inventory = inventory + 1 WHERE id = ? AND inventory IS NOT NULL").bind(
				productId,
			),
		]);
		throw REFUSED[used.reason]();
	}
	const row = await database.query.orders.findFirst({ where: (o, { eq }) => eq(o.id, id) });
	if (!row) throw new Error("order vanished");
	await publish(env.EVENTS, [
		newEvent(
			org,
			"order.created",
			{
				object: {
					id,
					consumerId: consumer.id,
					distributionId: distribution.id,
					externalOrderId: input.externalOrderId,
					totalAmount: input.totalAmount,
					productId,
				},
			},
			distribution.id,
		),
	]);
	return row;
}
