/**
 * Fixtures for the checkout and order tests: a shop (organization, product with stock,
 * experience with a checkoutUrl, sequence selling the product) and consumers holding
 * live admission grants for one of its queues (entered through the consumer API,
 * admitted by the merchant's `POST /api/v1/queues/:id/admit`).
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, createOrg, guests, launch, type Shopper, type Tenant } from "./helpers";
import { admit, enter, openQueue, status } from "./queue";

export const CHECKOUT_URL = "https://shop.example.com/checkout";

export interface Shop extends Tenant {
	experienceId: string;
	productId: string;
}

export interface ShopOptions {
	/** Units in stock; null leaves stock untracked. Default 1000. */
	inventory?: number | null;
	/** The experience's checkoutUrl; null sets none. */
	checkoutUrl?: string | null;
	/** The sequence's own checkoutUrl (overrides the experience's). */
	sequenceCheckoutUrl?: string;
	/** false: the sequence sells no product. */
	withProduct?: boolean;
}

/** A fresh organization selling one product through one experience and sequence. */
export async function shop(opts: ShopOptions = {}): Promise<Shop> {
	const org = await createOrg();
	const inventory = opts.inventory === undefined ? 1000 : opts.inventory;
	const product = await call("/api/v1/products", {
		key: org.secretKey,
		body: { name: "Sneaker", price: 199.99, sku: "SNK-1", ...(inventory == null ? {} : { inventory }) },
	});
	expect(product.status, product.text).toBe(201);
	const checkoutUrl = opts.checkoutUrl === undefined ? CHECKOUT_URL : opts.checkoutUrl;
	const ids = await launch(org, checkoutUrl == null ? {} : { checkoutUrl }, {
		...(opts.withProduct === false ? {} : { productId: product.json.id }),
		...(opts.sequenceCheckoutUrl ? { checkoutUrl: opts.sequenceCheckoutUrl } : {}),
	});
	return { ...org, ...ids, productId: product.json.id };
}

export interface Holder extends Shopper {
	admissionToken: string;
	checkoutUrl?: string;
}

/** An OPEN queue without admissionRate (nobody is admitted unless the merchant says so). */
export const grantQueue = (s: Shop, body: Record<string, unknown> = {}) =>
	openQueue(s, { maxCapacity: 10_000, ...body });

/** `n` new guests who enter the queue and are admitted by the merchant; returns them with their grants. */
export async function admitted(s: Shop, queueId: string, n: number): Promise<Holder[]> {
	const shoppers = await guests(s, n);
	const entered = await Promise.all(shoppers.map((p) => enter(s, queueId, p)));
	for (const r of entered) expect(r.status, r.text).toBe(200);
	const res = await admit(s, queueId, n);
	expect(res.status, res.text).toBe(200);
	expect(res.json.admitted).toBe(n);
	const states = await Promise.all(shoppers.map((p) => status(s, queueId, p)));
	return shoppers.map((p, i) => {
		const st = states[i];
		expect(st.status, st.text).toBe(200);
		expect(st.json.status).toBe("ADMITTED");
		expect(typeof st.json.admissionToken).toBe("string");
		return { ...p, admissionToken: st.json.admissionToken, checkoutUrl: st.json.checkoutUrl };
	});
}

/** A shop with an OPEN queue and `n` consumers holding live grants for it. */
export async function shopWithHolders(n: number, opts: ShopOptions = {}) {
	// A queue never grants past the stock: with fewer units than holders, the grants are
	// given while there are enough, then the merchant lowers the inventory (sold elsewhere).
	const short = typeof opts.inventory === "number" && opts.inventory < n;
	const s = await shop(short ? { ...opts, inventory: n } : opts);
	const queue = await grantQueue(s);
	const holders = await admitted(s, queue.id, n);
	if (short) {
		const res = await call(`/api/v1/products/${s.productId}`, {
			method: "PUT",
			key: s.secretKey,
			body: { inventory: opts.inventory },
		});
		expect(res.status, res.text).toBe(200);
	}
	return { s, queueId: queue.id, holders };
}

/** The product's inventory through the API. */
export async function inventoryOf(s: Shop, productId = s.productId): Promise<number | null> {
	const res = await call(`/api/v1/products/${productId}`, { key: s.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json.inventory;
}

/** The product's inventory straight from D1. */
export async function storedInventory(productId: string): Promise<number | null> {
	const row = await env.DB.prepare("SELECT inventory FROM products WHERE id = ?")
		.bind(productId)
		.first<{ inventory: number | null }>();
	return row?.inventory ?? null;
}

/** An extra secret key of the organization (each key has its own per-minute order budget). */
export async function extraSecretKey(s: Shop, name = "extra"): Promise<string> {
	const res = await call("/api/v1/api-keys", { key: s.secretKey, body: { type: "secret", name } });
	expect(res.status, res.text).toBe(201);
	return res.json.key;
}

/** The order callback body for a holder. */
export const orderBody = (holder: Shopper, distributionId: string, externalOrderId: string, totalAmount = 199.99) => ({
	consumerId: holder.consumerId,
	distributionId,
	externalOrderId,
	totalAmount,
});
