/**
 * The order callback: an order consumes the consumer's live admission grant for the
 * distribution (single use), takes one unit of the product's stock (never below
 * zero) and marks the consumer COMPLETED in the distribution's object. The grant is
 * held first (duplicates stop there), then the stock and the order row change in one
 * D1 transaction, then the grant is used; if that fails after all, both are undone.
 */
import type { z } from "zod";
import { db } from "../../db/client";
import { grantRefused } from "../../distributions/admissions/refusals";
import { readGrant, tokenExpired } from "../../distributions/admissions/service";
import { checkoutTarget } from "../../distributions/checkout/repo";
import { engineRef } from "../../distributions/common/engine";
import { findDistribution } from "../../distributions/common/repo";
import type { GrantCheck, GrantOrder } from "../../distributions/kernel/grants";
import { newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { conflict, fieldError } from "../../http/problems";
import { newId } from "../../lib/ids";
import { fromMinor, toMinor } from "../../lib/money";
import { getConsumer } from "../consumers/repo";
import { returnStock, takeStock } from "../products/repo";
import { getOrder, orderReported, stockedOrder } from "./repo";
import type { createOrderBody } from "./schema";

export const duplicateOrder = () =>
	conflict("Order already exists", "An order with this externalOrderId was already reported.");

export async function placeOrder(env: Env, tenant: Tenant, input: z.infer<typeof createOrderBody>) {
	const org = tenant.organizationId;
	const consumer = await getConsumer(env.DB, org, input.consumerId);
	if (!consumer) throw fieldError("consumerId", "Unknown consumer");
	// The distributions repository still takes a drizzle client (its folder converts separately).
	const distribution = await findDistribution(db(env.DB), org, input.distributionId);
	if (!distribution) throw fieldError("distributionId", "Unknown distribution");
	const ref = engineRef(env, distribution.type, distribution.id);

	if (distribution.type === "auction") {
		const price = await env.AUCTION_OBJECT.getByName(distribution.id).finalPrice();
		if (price != null && toMinor(input.totalAmount) !== price) {
			throw fieldError("totalAmount", `Must equal the auction's final price, ${fromMinor(price)}`);
		}
	}
	// A retried report of an order already recorded says so, rather than that the grant is used.
	if (await orderReported(env.DB, org, input.externalOrderId)) throw duplicateOrder();

	let grantId: string | null;
	if (input.admissionToken) {
		const lookup = await readGrant(env, tenant, input.admissionToken);
		if (!lookup.ok || lookup.claims.sub !== consumer.id || lookup.claims.dist !== distribution.id) {
			throw fieldError("admissionToken", "Not a grant of this consumer for this distribution");
		}
		if (tokenExpired(lookup)) throw grantRefused("expired", "consumer");
		grantId = lookup.claims.jti;
	} else {
		grantId = await ref.grantIdOf(consumer.id);
	}
	if (!grantId) throw grantRefused("unknown", "consumer");
	// Held before any stock moves: a duplicate order on this grant is refused here.
	const check = await ref.holdGrant(consumer.id, grantId);
	if (!check.valid) throw grantRefused(check.reason, "consumer");

	const productId = (await checkoutTarget(env.DB, org, distribution.id))?.productId ?? null;
	const id = newId("ord");
	const order = stockedOrder(
		env.DB,
		{
			id,
			organizationId: org,
			consumerId: consumer.id,
			distributionId: distribution.id,
			externalOrderId: input.externalOrderId,
			totalAmount: toMinor(input.totalAmount),
		},
		productId,
	);
	if (!(await takeStock(env.DB, productId, order))) {
		await ref.releaseGrant(grantId);
		throw conflict("Out of stock", "The product of this distribution has no stock left.");
	}

	await useGrant(ref, consumer.id, grantId, { orderId: id, orderAmount: input.totalAmount }, () =>
		returnStock(env.DB, productId, order),
	);
	const row = await getOrder(env.DB, org, id);
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

type GrantRef = Pick<ReturnType<typeof engineRef>, "completeGrant" | "checkGrant" | "releaseGrant">;

/**
 * Uses the held grant for the order just stored; refused, `giveBack` returns the order and its unit.
 * Should the object not answer (overloaded, reset, cut off), the grant's state says whether the use
 * happened: used (the hold kept every other order off it) is this order's; still usable is not, so
 * the order and its unit go back too, or the grant could take a second unit later. If the object
 * cannot be asked either, the order stays.
 */
async function useGrant(
	ref: GrantRef,
	consumerId: string,
	grantId: string,
	order: GrantOrder,
	giveBack: () => Promise<void>,
): Promise<void> {
	let used: GrantCheck;
	try {
		used = await ref.completeGrant(consumerId, grantId, order, true);
	} catch (err) {
		const after = await ref.checkGrant(consumerId, grantId).catch(() => null);
		if (after && !after.valid && after.reason === "used") return;
		if (after) await giveBack();
		await ref.releaseGrant(grantId).catch(() => undefined);
		throw err;
	}
	if (used.valid) return;
	await giveBack();
	throw grantRefused(used.reason, "consumer");
}
