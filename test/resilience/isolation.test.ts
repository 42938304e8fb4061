/**
 * Resilience: tenant isolation matrix (issue #9).
 *
 * Org A holds one of every resource (product, consumer, order, experience, sequence,
 * queue with admitted consumers, draw with an entry, auction with a bid, API key, webhook
 * endpoint with a delivery, event, a live admission grant). Every operation of the live
 * `/openapi.json` — so a new route is covered the day it is documented — is then called
 * with org B's credentials (secret key on the admin API; publishable key and a consumer
 * token of B on the consumer API) and org A's ids in the path. This proves:
 * - each operation with an id in its path answers 404 in the problem shape, never A's data;
 * - lists (filtered by A's ids, or paged with A's cursors) never show B a record of A;
 * - creations that reference A's records (sequence, product, consumer, distribution, grant)
 *   are refused; idempotency keys are per tenant;
 * - a token of B with A's publishable key is refused; a merchant key opens no platform route;
 * - afterwards nothing of A changed: the same D1 rows and the same answers to A's own reads.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, createOrg, guest, type Res, type TestOrg } from "../support/helpers";
import {
	buildWorld,
	credentials,
	digest,
	fillPath,
	filterQuery,
	loadOperations,
	type Operation,
	readAll,
	settledDigest,
	upgradeHeaders,
	validBody,
	type World,
} from "../support/operations";
import { expectProblem } from "../support/problems";

let ops: Operation[];
let a: World;
let b: TestOrg & { token: string };
/** Every string of A that B must never see: ids, the email, the grant. */
let secretsOfA: string[];
let digestOfA: Record<string, number>;
let readsOfA: Record<string, unknown>;

/** Reads of the organization's own settings (one per organization, not a list): B's own, or 404. */
const SINGLETONS = new Set(["GET /api/v1/organization/turnstile"]);

/** Operations that answer 200 to a foreign reference, and what that 200 must say. */
const REFUSED_WITH_200: Record<string, (json: any) => boolean> = {
	"POST /api/v1/admissions/validate": (json) => json.valid === false && json.consumerId === null,
};

function asB(op: Operation): { key: string; headers: Record<string, string> } {
	return op.surface === "consumer"
		? { key: b.token, headers: { "X-Publishable-Key": b.publishableKey } }
		: { key: b.secretKey, headers: {} };
}

function expectNoLeak(res: Res, context: string) {
	for (const s of secretsOfA)
		expect(res.text.includes(s), `${context} leaked ${s}: ${res.text.slice(0, 300)}`).toBe(false);
}

beforeAll(async () => {
	ops = await loadOperations();
	a = await buildWorld(inject("receiverUrl"), "iso-a");
	const org = await createOrg();
	b = { ...org, token: (await guest(org)).accessToken };
	const { org: o } = a;
	secretsOfA = [
		o.organizationId,
		o.productId,
		o.experienceId,
		o.sequenceId,
		a.consumerId,
		a.holder.consumerId,
		a.shopper.consumerId,
		a.shopper.refreshToken ?? "",
		a.email,
		a.holder.admissionToken,
		a.queueId,
		a.drawId,
		a.auctionId,
		a.orderId,
		a.apiKeyId,
		a.turnstileSiteKey,
		a.webhookId,
		a.deliveryId,
		a.eventId,
	];
	// The webhook test delivery settles first, so A's reads are stable.
	digestOfA = await settledDigest(o.organizationId);
	readsOfA = await readAll(ops, a);
}, 60_000);

describe("org B against org A's resources", () => {
	it("every admin and consumer operation answers B with 404 on A's ids, or without A's records", async () => {
		const unfilled: string[] = [];
		const covered: string[] = [];
		for (const op of ops) {
			if (op.surface === "platform") continue;
			const path = fillPath(op, a);
			if (!path) {
				unfilled.push(op.key);
				continue;
			}
			const { key, headers } = asB(op);
			const body = validBody(op, a);
			const ctx = `${op.method} ${path} as B`;
			if (op.pathParams.length) {
				const res = await call(path, { method: op.method, key, headers: { ...headers, ...upgradeHeaders(op) }, body });
				expect(res.status, `${ctx} → ${res.text.slice(0, 300)}`).toBe(404);
				expectProblem(res, ctx);
				expectNoLeak(res, ctx);
			} else if (op.method === "GET" && SINGLETONS.has(op.key)) {
				const res = await call(path, { key, headers });
				expect([200, 404], `${ctx} → ${res.text.slice(0, 300)}`).toContain(res.status);
				expectNoLeak(res, ctx);
			} else if (op.method === "GET") {
				const query = filterQuery(op, a);
				const res = await call(path + query, { key, headers });
				expect(res.status, `${ctx}${query} → ${res.text.slice(0, 300)}`).toBe(200);
				expect(Array.isArray(res.json.data), ctx).toBe(true);
				if (query) expect(res.json.data, `${ctx}${query}`).toEqual([]);
				expectNoLeak(res, ctx);
			} else {
				const res = await call(path, { method: op.method, key, headers, body });
				const refersToA = secretsOfA.some((s) => JSON.stringify(body ?? null).includes(s));
				const accepts = REFUSED_WITH_200[op.key];
				if (refersToA && accepts) {
					expect(res.status, ctx).toBe(200);
					expect(accepts(res.json), `${ctx} → ${res.text}`).toBe(true);
				} else if (refersToA) {
					expect(res.status, `${ctx} with A's ids → ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
					expect(res.status, ctx).toBeLessThan(500);
					expectProblem(res, ctx);
				} else {
					expect(op.success, `${ctx} → ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
				}
				expectNoLeak(res, ctx);
			}
			covered.push(op.key);
		}
		expect(unfilled, "operations whose path parameters have no id in test/support/operations.ts").toEqual([]);
		const expected = ops.filter((op) => op.surface !== "platform").length;
		expect(covered.length).toBe(expected);
		expect(expected).toBeGreaterThanOrEqual(90);
	});

	it("A's cursors are refused on B's lists", async () => {
		let tried = 0;
		for (const op of ops) {
			if (op.method !== "GET" || op.pathParams.length || !op.queryParams.includes("cursor")) continue;
			if (op.surface === "platform") continue;
			// Guests too, so the consumer list has a second page.
			const q = op.queryParams.includes("kind") ? "limit=1&kind=all" : "limit=1";
			const mine = await call(`${op.path}?${q}`, credentials(op, a));
			expect(mine.status, `${op.key} as A`).toBe(200);
			const cursor = mine.json.nextCursor;
			if (!cursor) continue;
			const ctx = `${op.path} as B with A's cursor`;
			const res = await call(`${op.path}?${q}&cursor=${encodeURIComponent(cursor)}`, asB(op));
			expect(res.status, `${ctx} → ${res.text}`).toBe(400);
			expectProblem(res, ctx);
			expectNoLeak(res, ctx);
			tried++;
		}
		expect(tried).toBeGreaterThanOrEqual(4);
	});

	it("a consumer token of B with A's publishable key is refused on every consumer operation that needs one", async () => {
		let tried = 0;
		for (const op of ops) {
			if (!op.needsToken) continue;
			const path = fillPath(op, a);
			expect(path, op.key).not.toBeNull();
			const ctx = `${op.method} ${path} with A's key and B's token`;
			const res = await call(path as string, {
				method: op.method,
				key: b.token,
				headers: { "X-Publishable-Key": a.org.publishableKey, ...upgradeHeaders(op) },
				body: validBody(op, a),
			});
			expect(res.status, `${ctx} → ${res.text}`).toBe(401);
			expectProblem(res, ctx);
			expectNoLeak(res, ctx);
			tried++;
		}
		expect(tried).toBeGreaterThanOrEqual(10);
	});

	it("no merchant key opens a platform operation", async () => {
		const platform = ops.filter((op) => op.surface === "platform");
		expect(platform.length).toBeGreaterThan(0);
		for (const op of platform) {
			const path = fillPath(op, a);
			expect(path, op.key).not.toBeNull();
			for (const key of [b.secretKey, a.org.secretKey, b.publishableKey]) {
				const ctx = `${op.method} ${path} with a merchant key`;
				const res = await call(path as string, { method: op.method, key, body: validBody(op, a) });
				expect(res.status, `${ctx} → ${res.text}`).toBe(401);
				expectProblem(res, ctx);
				expect(res.text.includes(a.org.organizationId), ctx).toBe(false);
			}
		}
	});

	it("idempotency keys are per tenant: B's request under A's key is B's own", async () => {
		const c = await createOrg();
		const key = "shared-idempotency-key-1";
		const body = { name: "Tee", price: 25, sku: "SKU-SHARED" };
		const first = await call("/api/v1/products", { key: c.secretKey, body, headers: { "Idempotency-Key": key } });
		expect(first.status, first.text).toBe(201);
		const other = await call("/api/v1/products", { key: b.secretKey, body, headers: { "Idempotency-Key": key } });
		expect(other.status, other.text).toBe(201);
		expect(other.headers.get("Idempotent-Replayed")).toBeNull();
		expect(other.json.id).not.toBe(first.json.id);
		expect(other.text.includes(c.organizationId)).toBe(false);
	});

	it("afterwards org A is unchanged: the same D1 rows and the same answers to its own reads", async () => {
		expect(await settledDigest(a.org.organizationId)).toEqual(digestOfA);
		expect(await digest(a.org.organizationId)).toEqual(digestOfA);
		expect(await readAll(ops, a)).toEqual(readsOfA);
	});
});
