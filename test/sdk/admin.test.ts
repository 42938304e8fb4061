/**
 * The merchant SDK (src/sdk) against the real worker, through its injectable fetch: every
 * resource's calls, pagination by async iteration, idempotent retries after a lost
 * response, 429/5xx backoff, FanfareError, offline admission verification with the JWKS,
 * Standard Webhooks verification, and the spec's own snippets.
 */
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import {
	FanfareAdmin,
	FanfareClient,
	FanfareConnectionError,
	FanfareError,
	FanfareVerificationError,
	type FetchLike,
	signWebhook,
	verifyWebhook,
} from "../../src/sdk";
import { BASE, createOrg, guest } from "../support/helpers";
import { adminFor, sdkTenant, workerFetch } from "../support/sdk";
import { iso, waitFor } from "../support/time";

const RECEIVER = inject("receiverUrl");
const idOf = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`));

afterEach(() => {
	vi.unstubAllGlobals();
});

/** Expects `promise` to reject with a FanfareError and returns it. */
async function problem(promise: Promise<unknown>): Promise<FanfareError> {
	const err = await promise.then(
		() => null,
		(e: unknown) => e,
	);
	expect(err).toBeInstanceOf(FanfareError);
	return err as FanfareError;
}

describe("resources", () => {
	it("products: create, get, update, list, delete; errors are FanfareError with the problem and request id", async () => {
		const { admin } = await sdkTenant();
		const created = await admin.products.create({ name: "Sneakers", price: 199.99, sku: "SNKR-001", inventory: 5 });
		expect(created).toMatchObject({ id: idOf("prod"), name: "Sneakers", price: 199.99, sku: "SNKR-001", inventory: 5 });
		expect(await admin.products.get(created.id)).toEqual(created);
		const updated = await admin.products.update(created.id, { price: 149.5, inventory: null });
		expect(updated).toMatchObject({ id: created.id, price: 149.5, inventory: null, name: "Sneakers" });
		const page = await admin.products.list();
		expect(page).toEqual({ data: [updated], nextCursor: null });
		await expect(admin.products.delete(created.id)).resolves.toBeUndefined();

		const missing = await problem(admin.products.get(created.id));
		expect(missing).toMatchObject({ status: 404, title: "Product not found", type: "/problems/product-not-found" });
		expect(missing.requestId).toMatch(/^req_/);
		expect(missing.message).toContain("Product not found");

		const invalid = await problem(admin.products.create({ name: "X", price: 1.234, sku: "A B" }));
		expect(invalid.status).toBe(400);
		expect(invalid.title).toBe("Validation failed");
		expect(invalid.errors.map((e) => e.path).sort()).toEqual(["price", "sku"]);

		const dup = await admin.products.create({ name: "A", price: 1, sku: "DUP" });
		const conflict = await problem(admin.products.create({ name: "B", price: 1, sku: "DUP" }));
		expect(conflict).toMatchObject({ status: 409, title: "SKU already exists" });
		expect(dup.sku).toBe("DUP");
	});

	it("consumers: create, get, update, list by email and kind, createToken, delete", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const c = await admin.consumers.create({ email: "John@Example.com", fullName: "John Doe", phone: "+15551234567" });
		expect(c).toMatchObject({ id: idOf("con"), email: "john@example.com", fullName: "John Doe" });
		expect(await admin.consumers.get(c.id)).toEqual(c);
		const u = await admin.consumers.update(c.id, { phone: null });
		expect(u.phone).toBeNull();
		await admin.consumers.create({ email: "other@example.com" });
		const byEmail = await admin.consumers.list({ email: "john@example.com" });
		expect(byEmail.data.map((x) => x.id)).toEqual([c.id]);
		expect((await admin.consumers.list()).data).toHaveLength(2);
		const visitor = await guest(t);
		expect((await admin.consumers.list()).data).toHaveLength(2);
		expect((await admin.consumers.list({ kind: "guest" })).data.map((x) => x.id)).toEqual([visitor.consumerId]);
		expect((await admin.consumers.list({ kind: "all" })).data).toHaveLength(3);
		const token = await admin.consumers.createToken(c.id);
		expect(token).toMatchObject({ consumerId: c.id, tokenType: "Bearer" });
		expect(token.accessToken.split(".")).toHaveLength(3);
		await admin.consumers.delete(c.id);
		expect((await problem(admin.consumers.get(c.id))).status).toBe(404);
	});

	it("experiences and sequences: create, get, update, list, delete", async () => {
		const { admin } = await sdkTenant();
		const product = await admin.products.create({ name: "P", price: 10, sku: "P-1" });
		const exp = await admin.experiences.create({ name: "Drop", productIds: [product.id], timeZone: "Europe/Paris" });
		expect(exp).toMatchObject({ id: idOf("exp"), name: "Drop", productIds: [product.id], timeZone: "Europe/Paris" });
		expect(await admin.experiences.get(exp.id)).toEqual(exp);
		const expU = await admin.experiences.update(exp.id, { checkoutUrl: "https://shop.example.com/checkout" });
		expect(expU.checkoutUrl).toBe("https://shop.example.com/checkout");
		expect((await admin.experiences.list()).data.map((e) => e.id)).toContain(exp.id);

		const seq = await admin.experiences.sequences.create(exp.id, {
			name: "Wave 1",
			productId: product.id,
			priority: 2,
		});
		expect(seq).toMatchObject({ id: idOf("seq"), experienceId: exp.id, priority: 2, productId: product.id });
		expect((await admin.experiences.sequences.list(exp.id)).data).toEqual([seq]);
		expect(await admin.sequences.get(seq.id)).toEqual(seq);
		const seqU = await admin.sequences.update(seq.id, { name: "Wave one" });
		expect(seqU.name).toBe("Wave one");
		await admin.sequences.delete(seq.id);
		expect((await problem(admin.sequences.get(seq.id))).title).toBe("Sequence not found");
		await admin.experiences.delete(exp.id);
		expect((await problem(admin.experiences.get(exp.id))).status).toBe(404);
	});

	it("queues: create, get, update, list (filtered), stats, entries, admit, deny, delete", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const queue = await admin.queues.create({
			sequenceId: t.sequenceId,
			name: "Launch",
			openAt: iso(Date.now() - 1000),
		});
		expect(queue).toMatchObject({ id: idOf("queue"), status: "OPEN", name: "Launch", admissionRate: null });
		expect(await admin.queues.get(queue.id)).toEqual(queue);
		const draft = await admin.queues.create({ sequenceId: t.sequenceId });
		expect(draft.status).toBe("DRAFT");
		const updated = await admin.queues.update(queue.id, { maxCapacity: 10 });
		expect(updated.maxCapacity).toBe(10);
		expect((await admin.queues.list({ status: "OPEN" })).data.map((q) => q.id)).toEqual([queue.id]);
		expect((await admin.queues.list({ sequenceId: t.sequenceId })).data).toHaveLength(2);

		const shoppers = [t.consumer(), t.consumer(), t.consumer()];
		for (const s of shoppers) {
			await s.auth.guest();
			await s.queues.enter(queue.id);
		}
		expect(await admin.queues.stats(queue.id)).toMatchObject({ queued: 3, admitted: 0 });
		const entries = await admin.queues.entries(queue.id, { status: "QUEUED" });
		expect(entries.data.map((e) => e.consumerId)).toEqual(shoppers.map((s) => s.consumerId).reverse());

		expect(await admin.queues.admit(queue.id, 1)).toEqual({ admitted: 1 });
		const denied = await admin.queues.deny(queue.id, shoppers[2].consumerId as string, { reason: "bot" });
		expect(denied.status).toBe("DENIED");
		expect(await admin.queues.stats(queue.id)).toMatchObject({ queued: 1, admitted: 1, denied: 1 });
		const admitted = [];
		for await (const e of admin.queues.entries(queue.id, { status: "ADMITTED" })) admitted.push(e.consumerId);
		expect(admitted).toEqual([shoppers[0].consumerId]);

		await admin.queues.delete(draft.id);
		expect((await problem(admin.queues.get(draft.id))).title).toBe("Queue not found");
		// An OPEN queue with participants cannot be deleted.
		expect((await problem(admin.queues.delete(queue.id))).status).toBe(409);
	});

	it("draws: create, get, update, list, delete; entries, exportEntries, run, results", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const now = Date.now();
		const draw = await admin.draws.create({
			sequenceId: t.sequenceId,
			name: "Raffle",
			openAt: iso(now - 1000),
			closeAt: iso(now + 1500),
			drawAt: iso(now + 3600_000),
			winnerCount: 1,
		});
		expect(draw).toMatchObject({ id: idOf("draw"), status: "OPEN", winnerCount: 1 });
		expect(await admin.draws.get(draw.id)).toEqual(draw);
		expect((await admin.draws.update(draw.id, { maxEntries: 100 })).maxEntries).toBe(100);
		expect((await admin.draws.list()).data.map((d) => d.id)).toEqual([draw.id]);

		const shoppers = [t.consumer(), t.consumer()];
		for (const s of shoppers) {
			await s.auth.guest();
			expect((await s.draws.enter(draw.id)).status).toBe("ENTERED");
		}
		const entries = await admin.draws.entries(draw.id);
		expect(entries.data.map((e) => e.consumerId).sort()).toEqual(shoppers.map((s) => s.consumerId).sort());
		expect((await problem(admin.draws.exportEntries(draw.id))).title).toBe("Draw not closed");

		await waitFor(
			"draw closed",
			() => admin.draws.get(draw.id),
			(d) => d.status === "CLOSED",
		);
		const exported = await admin.draws.exportEntries(draw.id);
		expect(exported.drawId).toBe(draw.id);
		expect(exported.entryIds.sort()).toEqual(entries.data.map((e) => e.entryId).sort());
		const ran = await admin.draws.run(draw.id);
		// Drawn as soon as round R is out (moved earlier by the run, if it was still unknown).
		expect(["CLOSED", "DRAWN"]).toContain(ran.status);
		const results = await waitFor(
			"winners",
			() => admin.draws.results(draw.id),
			(r) => r.winners.length === 1,
			8000,
		);
		expect(results).toMatchObject({ drawId: draw.id, entryCount: 2, winnerCount: 1 });

		const other = await admin.draws.create({ sequenceId: t.sequenceId, drawAt: iso(now + 7200_000), winnerCount: 3 });
		await admin.draws.delete(other.id);
		expect((await problem(admin.draws.get(other.id))).title).toBe("Draw not found");
	});

	it("auctions: create, get, update, list, delete; bids", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const auction = await admin.auctions.create({
			sequenceId: t.sequenceId,
			name: "Rare",
			openAt: iso(Date.now() - 1000),
			settleAt: iso(Date.now() + 3600_000),
			startingBid: 100,
			minimumIncrement: 10,
		});
		expect(auction).toMatchObject({ id: idOf("auction"), status: "OPEN", startingBid: 100 });
		expect(await admin.auctions.get(auction.id)).toEqual(auction);
		expect((await admin.auctions.update(auction.id, { reservePrice: 500 })).reservePrice).toBe(500);
		expect((await admin.auctions.list({ status: "OPEN" })).data.map((a) => a.id)).toEqual([auction.id]);

		const bidder = t.consumer();
		await bidder.auth.guest();
		await bidder.auctions.bid(auction.id, { amount: 100, maxAmount: 150 });
		const bids = await admin.auctions.bids(auction.id);
		// The maximum (150) stays sealed until settlement, from the merchant too.
		expect(bids.data[0]).toMatchObject({ consumerId: bidder.consumerId, amount: 100, maxAmount: null, kind: "bid" });
		// Its hash is shown: it covers a salted commitment to the maximum, not the maximum.
		expect(bids.data[0].hash).toMatch(/^[0-9a-f]{64}$/);
		// Its rules froze at that bid.
		const frozen = await problem(admin.auctions.update(auction.id, { reservePrice: 600 }));
		expect([frozen.status, frozen.title]).toEqual([409, "Auction rules frozen"]);
		expect((await admin.auctions.get(auction.id)).reservePrice).toBe(500);

		const spare = await admin.auctions.create({ sequenceId: t.sequenceId, settleAt: iso(Date.now() + 7200_000) });
		await admin.auctions.delete(spare.id);
		expect((await problem(admin.auctions.get(spare.id))).title).toBe("Auction not found");
	});

	it("apiKeys: create, get, list, delete", async () => {
		const { admin } = await sdkTenant();
		const created = await admin.apiKeys.create({ type: "publishable", name: "Storefront" });
		expect(created).toMatchObject({ id: idOf("key"), type: "publishable", name: "Storefront" });
		expect(created.key).toMatch(/^pk_live_/);
		const { key: _, ...shown } = created;
		expect(await admin.apiKeys.get(created.id)).toEqual(shown);
		expect((await admin.apiKeys.list()).data.map((k) => k.id)).toContain(created.id);
		await admin.apiKeys.delete(created.id);
		expect((await problem(admin.apiKeys.get(created.id))).title).toBe("API key not found");
	});

	it("events: list (filtered by type) and get", async () => {
		const t = await sdkTenant();
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId });
		const page = await waitFor(
			"queue.created event",
			() => t.admin.events.list({ type: "queue.*" }),
			(p) => p.data.length > 0,
		);
		expect(page.data[0]).toMatchObject({ id: idOf("evt"), type: "queue.created", distributionId: queue.id });
		expect(await t.admin.events.get(page.data[0].id)).toEqual(page.data[0]);
	});

	it("webhookEndpoints: create, get, update, list, test, deliveries, retryDelivery, delete; a captured delivery verifies", async () => {
		const { admin } = await sdkTenant();
		const name = `sdk-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
		const endpoint = await admin.webhookEndpoints.create({ url: `${RECEIVER}/hooks/${name}`, events: ["order.*"] });
		expect(endpoint).toMatchObject({ id: idOf("wh"), enabled: true, events: ["order.*"] });
		expect(endpoint.secret).toMatch(/^whsec_/);
		const { secret, ...shown } = endpoint;
		expect(await admin.webhookEndpoints.get(endpoint.id)).toEqual(shown);
		const updated = await admin.webhookEndpoints.update(endpoint.id, { description: "Orders" });
		expect(updated.description).toBe("Orders");
		expect((await admin.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);

		const { deliveryId, eventId } = await admin.webhookEndpoints.test(endpoint.id);
		const delivered = await waitFor(
			"delivery",
			async () => (await admin.webhookEndpoints.deliveries(endpoint.id)).data.find((d) => d.id === deliveryId),
			(d) => d?.status === "succeeded",
			15_000,
		);
		expect(delivered?.attempts[0]).toMatchObject({ attempt: 1, statusCode: 200 });

		// The delivery as the receiver got it: verified with the SDK; tampered, it is refused.
		const arrivals = (await (await fetch(`${RECEIVER}/hooks/${name}`)).json()) as {
			headers: Record<string, string>;
			body: string;
		}[];
		const arrival = arrivals.find((a) => a.headers["webhook-id"] === eventId);
		if (!arrival) throw new Error(`no arrival for ${eventId}: ${JSON.stringify(arrivals)}`);
		const event = await admin.webhooks.verify(arrival.headers, arrival.body, secret);
		expect(event).toMatchObject({ id: eventId, type: "webhook.test", data: { endpointId: endpoint.id } });
		const forged = arrival.body.replace("webhook.test", "order.created");
		const refused = await admin.webhooks.verify(arrival.headers, forged, secret).catch((e) => e);
		expect(refused).toBeInstanceOf(FanfareVerificationError);
		expect(refused.reason).toBe("signature");

		expect(await admin.webhookEndpoints.retryDelivery(endpoint.id, deliveryId)).toEqual({ deliveryId });
		await waitFor(
			"second attempt",
			async () => (await admin.webhookEndpoints.deliveries(endpoint.id)).data.find((d) => d.id === deliveryId),
			(d) => d?.attempts.length === 2 && d.status === "succeeded",
			15_000,
		);
		await admin.webhookEndpoints.delete(endpoint.id);
		expect((await problem(admin.webhookEndpoints.get(endpoint.id))).status).toBe(404);
	});
});

describe("pagination", () => {
	it("a list is its first page when awaited and every item when iterated (no duplicates, newest first)", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const created = [];
		for (let i = 0; i < 7; i++) created.push(await admin.products.create({ name: `P${i}`, price: i, sku: `SKU-${i}` }));
		const newestFirst = created.map((p) => p.id).reverse();

		const first = await admin.products.list({ limit: 3 });
		expect(first.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 3));
		expect(first.nextCursor).toEqual(expect.any(String));

		const seen: string[] = [];
		for await (const p of admin.products.list({ limit: 3 })) seen.push(p.id);
		expect(seen).toEqual(newestFirst);
		expect(new Set(seen).size).toBe(7);

		const pages = [];
		for await (const page of admin.products.list({ limit: 3 }).pages()) pages.push(page.data.length);
		expect(pages).toEqual([3, 3, 1]);
		expect((await admin.products.list({ limit: 3, cursor: first.nextCursor as string })).data[0].id).toBe(
			newestFirst[3],
		);
		expect((await admin.products.list({ limit: 5 }).toArray()).map((p) => p.id)).toEqual(newestFirst);

		// Awaiting and then iterating the same list fetches the first page once.
		let gets = 0;
		const counting = adminFor(t, {
			fetch: (input, init) => {
				gets++;
				return workerFetch(input, init);
			},
		});
		const list = counting.products.list({ limit: 4 });
		await list;
		const all = [];
		for await (const p of list) all.push(p.id);
		expect(all).toEqual(newestFirst);
		expect(gets).toBe(2);
	});
});

describe("idempotency and retries", () => {
	it("a POST whose response was lost is retried under the same key: the same product, stored once", async () => {
		const org = await createOrg();
		const keys: (string | null)[] = [];
		const replayed: (string | null)[] = [];
		let posts = 0;
		const dropping: FetchLike = async (input, init) => {
			const res = await workerFetch(input, init);
			if (init?.method === "POST") {
				keys.push(new Headers(init.headers).get("X-Idempotency-Key"));
				replayed.push(res.headers.get("Idempotent-Replayed"));
				// The request went through, but the connection drops before the answer arrives.
				if (++posts === 1) throw new TypeError("network connection lost");
			}
			return res;
		};
		const admin = adminFor(org, { fetch: dropping });
		const product = await admin.products.create({ name: "Once", price: 5, sku: "ONCE-1" });
		expect(posts).toBe(2);
		expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
		expect(keys[1]).toBe(keys[0]);
		expect(replayed).toEqual([null, "true"]);
		const all = await adminFor(org).products.list();
		expect(all.data.map((p) => p.id)).toEqual([product.id]);
	});

	it("a body that stalls after its headers is ended by the timeout like a fetch that stalls", async () => {
		const org = await createOrg();
		// Headers at once, then a body that never comes; the stream ends with the request's signal, as fetch's does.
		const stalling: FetchLike = async (_input, init) => {
			const signal = init?.signal;
			const body = new ReadableStream({
				start(controller) {
					signal?.addEventListener("abort", () => controller.error(signal.reason), { once: true });
				},
			});
			return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
		};
		const err = await adminFor(org, { fetch: stalling, timeoutMs: 50, maxAttempts: 2 })
			.products.list()
			.then(
				() => null,
				(e: unknown) => e,
			);
		// Before: the timer was cleared once the headers came, and the call never settled.
		expect(err).toBeInstanceOf(FanfareConnectionError);
		expect((err as Error).message).toMatch(/after 2 attempt\(s\): Timed out after 50 ms/);
	});

	it("an explicit idempotencyKey is sent as given; the same key returns the same resource", async () => {
		const { admin } = await sdkTenant();
		const a = await admin.products.create({ name: "K", price: 1, sku: "K-1" }, { idempotencyKey: "order-sync-42" });
		const b = await admin.products.create({ name: "K", price: 1, sku: "K-1" }, { idempotencyKey: "order-sync-42" });
		expect(b).toEqual(a);
		const reused = await problem(
			admin.products.create({ name: "K2", price: 1, sku: "K-2" }, { idempotencyKey: "order-sync-42" }),
		);
		expect(reused).toMatchObject({ status: 422, title: "Idempotency key reused" });
	});

	it("429 with Retry-After: 1 is waited out, then the call succeeds", async () => {
		const org = await createOrg();
		let limited = 0;
		const limiting: FetchLike = async (input, init) => {
			if (limited++ === 0) {
				return new Response(
					JSON.stringify({ type: "/problems/rate-limit-exceeded", title: "Rate limit exceeded", status: 429 }),
					{
						status: 429,
						headers: { "Content-Type": "application/problem+json", "Retry-After": "1" },
					},
				);
			}
			return workerFetch(input, init);
		};
		const admin = adminFor(org, { fetch: limiting });
		const started = Date.now();
		const page = await admin.products.list();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(page).toEqual({ data: [], nextCursor: null });
		expect(limited).toBe(2);
	});

	it("5xx is retried with backoff; without attempts left the FanfareError surfaces; network failures end in FanfareConnectionError", async () => {
		const org = await createOrg();
		let calls = 0;
		const failingOnce: FetchLike = async (input, init) =>
			calls++ === 0 ? new Response("upstream hiccup", { status: 503 }) : workerFetch(input, init);
		const product = await adminFor(org, { fetch: failingOnce }).products.create({ name: "R", price: 1, sku: "R-1" });
		expect(product.sku).toBe("R-1");
		expect(calls).toBe(2);

		const alwaysDown: FetchLike = async () =>
			new Response(JSON.stringify({ title: "Server error", status: 500 }), {
				status: 500,
				headers: { "X-Request-Id": "req_test" },
			});
		const down = await problem(adminFor(org, { fetch: alwaysDown, maxAttempts: 2 }).products.list());
		expect(down).toMatchObject({ status: 500, title: "Server error", requestId: "req_test" });

		let tries = 0;
		const offline: FetchLike = async () => {
			tries++;
			throw new TypeError("fetch failed");
		};
		const err = await adminFor(org, { fetch: offline, maxAttempts: 3 })
			.products.get("prod_x")
			.catch((e) => e);
		expect(err).toBeInstanceOf(FanfareConnectionError);
		expect(err).toBeInstanceOf(FanfareError);
		expect(tries).toBe(3);

		// 4xx (other than 429) is never retried.
		let gets = 0;
		const counting: FetchLike = (input, init) => {
			gets++;
			return workerFetch(input, init);
		};
		expect((await problem(adminFor(org, { fetch: counting }).products.get("prod_missing"))).status).toBe(404);
		expect(gets).toBe(1);
	});
});

describe("admissions", () => {
	it("a queue admission verified offline against the JWKS; validate, complete and an order online", async () => {
		const t = await sdkTenant();
		const { admin } = t;
		const product = await admin.products.create({ name: "Shoe", price: 199.99, sku: "SHOE-1", inventory: 10 });
		await admin.sequences.update(t.sequenceId, { productId: product.id });
		const queue = await admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000) });
		const [buyer, other] = [t.consumer(), t.consumer()];
		for (const s of [buyer, other]) {
			await s.auth.guest();
			await s.queues.enter(queue.id);
		}
		await admin.queues.admit(queue.id, 2);
		const grant = (await buyer.queues.status(queue.id)).admissionToken as string;
		expect(grant).toBeTruthy();

		let jwksFetches = 0;
		const verifier = adminFor(t, {
			fetch: (input, init) => {
				if (input.endsWith("/.well-known/jwks.json")) {
					jwksFetches++;
					expect(new Headers(init?.headers).has("Authorization")).toBe(false);
				}
				return workerFetch(input, init);
			},
		});
		const claims = await verifier.verifyAdmission(grant);
		expect(claims).toMatchObject({
			iss: "fanfare-edge",
			typ: "admission",
			sub: buyer.consumerId,
			dist: queue.id,
			org: t.organizationId,
			jti: expect.any(String),
		});
		expect(claims.exp * 1000).toBeGreaterThan(Date.now());
		await verifier.admissions.verifyAdmission(grant, {
			distributionId: queue.id,
			consumerId: buyer.consumerId as string,
		});
		expect(jwksFetches).toBe(1);

		const reason = (p: Promise<unknown>) =>
			p.then(
				() => "accepted",
				(e: FanfareVerificationError) => e.reason,
			);
		const [h, b, s] = grant.split(".");
		const flipped = `${h}.${b}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
		expect(await reason(verifier.verifyAdmission(flipped))).toBe("signature");
		const forgedBody = btoa(JSON.stringify({ ...claims, sub: other.consumerId })).replace(/=+$/, "");
		expect(await reason(verifier.verifyAdmission(`${h}.${forgedBody}.${s}`))).toBe("signature");
		expect(await reason(verifier.verifyAdmission(buyer.accessToken as string))).toBe("type");
		expect(await reason(verifier.verifyAdmission(grant, { now: (claims.exp + 1) * 1000 }))).toBe("expired");
		expect(await reason(verifier.verifyAdmission(grant, { distributionId: "queue_other" }))).toBe("distribution");
		expect(await reason(verifier.verifyAdmission("not.a.jwt"))).toBe("malformed");

		expect(await admin.admissions.validate(grant)).toMatchObject({ valid: true, consumerId: buyer.consumerId });
		const order = await admin.orders.create({
			consumerId: buyer.consumerId as string,
			distributionId: queue.id,
			externalOrderId: "SHOP-1001",
			totalAmount: 199.99,
			admissionToken: grant,
		});
		expect(order).toMatchObject({ id: idOf("ord"), externalOrderId: "SHOP-1001", totalAmount: 199.99 });
		expect(await admin.orders.get(order.id)).toEqual(order);
		expect((await admin.orders.list({ distributionId: queue.id })).data).toEqual([order]);
		expect(await admin.admissions.validate(grant)).toMatchObject({ valid: false, reason: "used" });
		// Offline verification cannot know about use: the signature is still genuine.
		expect((await verifier.verifyAdmission(grant)).sub).toBe(buyer.consumerId);

		const otherGrant = (await other.queues.status(queue.id)).admissionToken as string;
		expect(await admin.admissions.complete(otherGrant, { orderId: "EXT-2" })).toEqual({
			completed: true,
			consumerId: other.consumerId,
			distributionId: queue.id,
		});
		expect((await problem(admin.admissions.complete(otherGrant))).title).toBe("Admission already used");
		expect((await admin.products.get(product.id)).inventory).toBe(9);
	});
});

describe("webhooks.verify (Standard Webhooks)", () => {
	const secret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
	const body = JSON.stringify({
		id: "evt_1",
		type: "order.created",
		data: { orderId: "ord_1" },
		createdAt: "2030-01-01T00:00:00Z",
	});

	it("accepts what it signed and what the standardwebhooks library signed; refuses tampering, wrong secrets and stale timestamps", async () => {
		const { admin } = await sdkTenant();
		const ts = Math.floor(Date.now() / 1000);
		const headers = {
			"webhook-id": "evt_1",
			"webhook-timestamp": String(ts),
			"webhook-signature": await signWebhook(secret, "evt_1", ts, body),
		};
		expect(await admin.webhooks.verify(headers, body, secret)).toMatchObject({ id: "evt_1", type: "order.created" });
		expect(await verifyWebhook(new Headers(headers), new TextEncoder().encode(body), secret)).toMatchObject({
			id: "evt_1",
		});

		// Interoperable with the reference implementation, both ways.
		const lib = new Webhook(secret);
		const libSig = lib.sign("evt_1", new Date(ts * 1000), body);
		expect(libSig).toBe(headers["webhook-signature"]);
		expect(lib.verify(body, headers)).toMatchObject({ id: "evt_1" });
		// Several signatures (secret rotation): any one valid v1 signature is enough.
		const rotated = { ...headers, "webhook-signature": `v1,${btoa("x".repeat(32))} ${libSig}` };
		expect(await admin.webhooks.verify(rotated, body, secret)).toMatchObject({ id: "evt_1" });

		const reason = (p: Promise<unknown>) =>
			p.then(
				() => "accepted",
				(e: FanfareVerificationError) => e.reason,
			);
		expect(await reason(admin.webhooks.verify(headers, body.replace("ord_1", "ord_2"), secret))).toBe("signature");
		expect(await reason(admin.webhooks.verify({ ...headers, "webhook-id": "evt_2" }, body, secret))).toBe("signature");
		const otherSecret = `whsec_${btoa("another secret of enough length!")}`;
		expect(await reason(admin.webhooks.verify(headers, body, otherSecret))).toBe("signature");
		const old = ts - 301;
		const stale = {
			"webhook-id": "evt_1",
			"webhook-timestamp": String(old),
			"webhook-signature": await signWebhook(secret, "evt_1", old, body),
		};
		expect(await reason(admin.webhooks.verify(stale, body, secret))).toBe("timestamp");
		const future = ts + 301;
		const early = {
			...stale,
			"webhook-timestamp": String(future),
			"webhook-signature": await signWebhook(secret, "evt_1", future, body),
		};
		expect(await reason(admin.webhooks.verify(early, body, secret))).toBe("timestamp");
		const { "webhook-signature": _, ...unsigned } = headers;
		expect(await reason(admin.webhooks.verify(unsigned, body, secret))).toBe("missing_headers");
		expect(await reason(admin.webhooks.verify({ ...headers, "webhook-signature": "v2,abc" }, body, secret))).toBe(
			"signature",
		);
	});
});

describe("the spec's snippets, unchanged but for the import (and their dates, 2024 → 2030: a create refuses past times)", () => {
	it("custom-integration-api: new FanfareClient({ apiKey: process.env.FANFARE_API_KEY }); client.products.create(…)", async () => {
		const org = await createOrg();
		// The snippet reads its key from process.env and uses the default fetch: point both at the test worker.
		const process = { env: { FANFARE_API_KEY: org.secretKey } };
		vi.stubGlobal("fetch", workerFetch);

		const client = new FanfareClient({
			apiKey: process.env.FANFARE_API_KEY,
		});

		// Sync a product
		await client.products.create({
			name: "Product Name",
			price: 99.99,
			sku: "SKU-123",
		});

		const stored = await adminFor(org).products.list();
		expect(stored.data).toEqual([expect.objectContaining({ name: "Product Name", price: 99.99, sku: "SKU-123" })]);
		expect(client.http.baseUrl).toBe("http://localhost:8787");
	});

	it("distributions-api SDK Usage: create, list and update a queue, create a draw and an auction, delete all three", async () => {
		const t = await sdkTenant();
		const sequenceId = t.sequenceId;
		const process = { env: { FANFARE_SECRET_KEY: t.secretKey } };
		vi.stubGlobal("fetch", workerFetch);

		const admin = new FanfareAdmin({
			secretKey: process.env.FANFARE_SECRET_KEY,
		});

		// Create queue
		const queue = await admin.queues.create({
			sequenceId,
			name: "Product Launch",
			admissionRate: 100,
		});

		// List queues
		const queues = await admin.queues.list();

		// Update queue
		await admin.queues.update(queue.id, {
			admissionRate: 150,
		});

		// Create draw
		const draw = await admin.draws.create({
			sequenceId,
			name: "Holiday Raffle",
			openAt: "2030-12-01T00:00:00Z",
			closeAt: "2030-12-14T23:59:59Z",
			drawAt: "2030-12-15T12:00:00Z",
			winnerCount: 100,
		});

		// Create auction
		const auction = await admin.auctions.create({
			sequenceId,
			name: "Rare Item Auction",
			openAt: "2030-12-10T09:00:00Z",
			closeAt: "2030-12-15T21:00:00Z",
			settleAt: "2030-12-15T21:30:00Z",
			startingBid: 100,
			minimumIncrement: 10,
		});

		expect(queue).toMatchObject({ sequenceId, name: "Product Launch", admissionRate: 100, status: "DRAFT" });
		expect(queues.data.map((q) => q.id)).toEqual([queue.id]);
		expect((await t.admin.queues.get(queue.id)).admissionRate).toBe(150);
		expect(draw).toMatchObject({ name: "Holiday Raffle", drawAt: "2030-12-15T12:00:00Z", winnerCount: 100 });
		expect(auction).toMatchObject({ name: "Rare Item Auction", settleAt: "2030-12-15T21:30:00Z", startingBid: 100 });

		// Delete distribution
		await admin.queues.delete(queue.id);
		await admin.draws.delete(draw.id);
		await admin.auctions.delete(auction.id);
		expect((await t.admin.queues.list()).data).toEqual([]);
		expect((await t.admin.draws.list()).data).toEqual([]);
		expect((await t.admin.auctions.list()).data).toEqual([]);
	});
});

describe("construction", () => {
	it("FanfareAdmin is FanfareClient; a key is required; ids in paths are encoded", async () => {
		const org = await createOrg();
		const admin = new FanfareAdmin({ secretKey: org.secretKey, baseUrl: `${BASE}/`, fetch: workerFetch });
		expect(admin).toBeInstanceOf(FanfareClient);
		expect(admin.http.baseUrl).toBe(BASE);
		expect(() => new FanfareClient({ baseUrl: BASE })).toThrow(/apiKey/);
		const urls: string[] = [];
		const spying = adminFor(org, {
			fetch: (input, init) => {
				urls.push(input);
				return workerFetch(input, init);
			},
		});
		expect((await problem(spying.products.get("a/b?c"))).status).toBe(404);
		expect(urls[0]).toBe(`${BASE}/api/v1/products/a%2Fb%3Fc`);
	});
});
