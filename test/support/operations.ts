/**
 * Shared by the resilience suite: every operation of the live `/openapi.json`, a world
 * with one of each resource to fill their path parameters, a valid body per operation,
 * and a digest of a tenant's D1 rows.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, guest, type Res, type Shopper } from "./helpers";
import { admitted, grantQueue, orderBody, type Shop, shop } from "./shop";
import { iso, sleep } from "./time";

export type { Res };

export interface Operation {
	method: string;
	/** The OpenAPI path template, e.g. `/api/v1/products/{id}`. */
	path: string;
	/** `METHOD /api/v1/...`: the spec aliases (`/api/products`) share their handler's key. */
	key: string;
	surface: "admin" | "consumer" | "platform";
	/** The operation needs a consumer access token besides the publishable key. */
	needsToken: boolean;
	pathParams: string[];
	queryParams: string[];
	/** The resolved JSON schema of the request body, if the operation takes one. */
	bodySchema: JsonSchema | null;
	/** Documented success statuses (below 400). */
	success: number[];
}

export interface JsonSchema {
	type?: string;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	anyOf?: JsonSchema[];
	items?: JsonSchema;
	enum?: unknown[];
	pattern?: string;
	minimum?: number;
	maximum?: number;
	additionalProperties?: unknown;
	$ref?: string;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every operation the running worker documents, in document order. */
export async function loadOperations(): Promise<Operation[]> {
	const res = await call("/openapi.json");
	expect(res.status, res.text).toBe(200);
	const doc = res.json;
	const resolve = (s: JsonSchema | undefined): JsonSchema | null =>
		s?.$ref ? doc.components.schemas[s.$ref.replace("#/components/schemas/", "")] : (s ?? null);
	const ops: Operation[] = [];
	for (const [path, item] of Object.entries<any>(doc.paths)) {
		for (const method of METHODS) {
			const op = item[method];
			if (!op) continue;
			const params: { in: string; name: string }[] = op.parameters ?? [];
			const upper = method.toUpperCase();
			ops.push({
				method: upper,
				path,
				key: `${upper} ${path.replace(/^\/api\/(?!v1\/)/, "/api/v1/")}`,
				surface: path.startsWith("/consumer/") ? "consumer" : path.startsWith("/platform/") ? "platform" : "admin",
				needsToken: JSON.stringify(op.security ?? []).includes("consumerToken"),
				pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
				queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
				bodySchema: resolve(op.requestBody?.content?.["application/json"]?.schema),
				success: Object.keys(op.responses ?? {})
					.map(Number)
					.filter((s) => s < 400),
			});
		}
	}
	return ops;
}

/** One organization holding one of every resource, with the consumers and grants around them. */
export interface World {
	org: Shop;
	/** A guest of this organization that holds nothing: the consumer credential of the org. */
	shopper: Shopper;
	/** Admitted in the queue (live grant), entered in the draw, bidder in the auction. */
	holder: Shopper & { admissionToken: string };
	consumerId: string;
	email: string;
	queueId: string;
	drawId: string;
	auctionId: string;
	orderId: string;
	apiKeyId: string;
	webhookId: string;
	deliveryId: string;
	eventId: string;
	hookUrl: string;
	/** An access code of the org's sequence, and an entry of its allow-list. */
	accessCodeId: string;
	allowListEntryId: string;
	/** The org's Turnstile site key (its sequence keeps protection `none`). */
	turnstileSiteKey: string;
}

const HOUR = 3_600_000;

export async function buildWorld(receiverUrl: string, name: string): Promise<World> {
	const org = await shop();
	const key = org.secretKey;
	const post = async (path: string, body: unknown, expected = 201) => {
		const res = await call(path, { method: "POST", key, body });
		expect(res.status, `${path}: ${res.text}`).toBe(expected);
		return res.json;
	};
	const queue = await grantQueue(org);
	const [holder, buyer] = await admitted(org, queue.id, 2);
	const order = await post("/api/v1/orders", orderBody(buyer, queue.id, `EXT-${name}`));
	const email = `${name}@example.com`;
	const consumer = await post("/api/v1/consumers", { email, fullName: "Ada Lovelace" });
	const now = Date.now();
	const draw = await post("/api/v1/draws", {
		sequenceId: org.sequenceId,
		openAt: iso(now - 1000),
		closeAt: iso(now + HOUR),
		drawAt: iso(now + 2 * HOUR),
		winnerCount: 1,
	});
	const auction = await post("/api/v1/auctions", {
		sequenceId: org.sequenceId,
		openAt: iso(now - 1000),
		closeAt: iso(now + HOUR),
		settleAt: iso(now + HOUR),
		startingBid: 10,
		minimumIncrement: 1,
	});
	const consumerHeaders = { "X-Publishable-Key": org.publishableKey };
	const entered = await call(`/consumer/v1/draws/${draw.id}/enter`, {
		method: "POST",
		key: holder.accessToken,
		headers: consumerHeaders,
	});
	expect(entered.status, entered.text).toBe(200);
	const bid = await call(`/consumer/v1/auctions/${auction.id}/bids`, {
		key: holder.accessToken,
		headers: consumerHeaders,
		body: { amount: 10 },
	});
	expect(bid.status, bid.text).toBe(200);
	const apiKey = await post("/api/v1/api-keys", { type: "secret", name: "victim" });
	const hookUrl = `${receiverUrl}/hooks/resilience-${name}`;
	const webhook = await post("/api/v1/webhook-endpoints", { url: hookUrl, events: ["webhook.test"] });
	const test = await post(`/api/v1/webhook-endpoints/${webhook.id}/test`, undefined, 202);
	const codes = await post(`/api/v1/sequences/${org.sequenceId}/access-codes`, { count: 1, maxUses: 5 });
	const listed = await post(`/api/v1/sequences/${org.sequenceId}/allow-list`, { emails: [email] }, 200);
	const turnstileSiteKey = `0x4AAAAAAA${org.organizationId.slice(-12)}`;
	const turnstile = await call("/api/v1/organization/turnstile", {
		method: "PUT",
		key: org.secretKey,
		body: { siteKey: turnstileSiteKey, secret: `0x${org.organizationId.slice(-16)}secret` },
	});
	expect(turnstile.status, turnstile.text).toBe(200);
	return {
		org,
		shopper: await guest(org),
		holder: { consumerId: holder.consumerId, accessToken: holder.accessToken, admissionToken: holder.admissionToken },
		consumerId: consumer.id,
		email,
		queueId: queue.id,
		drawId: draw.id,
		auctionId: auction.id,
		orderId: order.id,
		apiKeyId: apiKey.id,
		webhookId: webhook.id,
		deliveryId: test.deliveryId,
		eventId: test.eventId,
		hookUrl,
		accessCodeId: codes.data[0].id,
		allowListEntryId: listed.data[0].id,
		turnstileSiteKey,
	};
}

/** Which id fills `{id}`, by the collection named just before it. */
const BY_COLLECTION: Record<string, (w: World) => string> = {
	"api-keys": (w) => w.apiKeyId,
	products: (w) => w.org.productId,
	consumers: (w) => w.consumerId,
	orders: (w) => w.orderId,
	experiences: (w) => w.org.experienceId,
	sequences: (w) => w.org.sequenceId,
	queues: (w) => w.queueId,
	draws: (w) => w.drawId,
	auctions: (w) => w.auctionId,
	events: (w) => w.eventId,
	"webhook-endpoints": (w) => w.webhookId,
	organizations: (w) => w.org.organizationId,
};
/** Other path parameters, by name. */
const BY_NAME: Record<string, (w: World) => string> = {
	consumerId: (w) => w.holder.consumerId,
	deliveryId: (w) => w.deliveryId,
	distributionId: (w) => w.queueId,
	codeId: (w) => w.accessCodeId,
	entryId: (w) => w.allowListEntryId,
};

/**
 * The concrete path with `w`'s ids, or null when a parameter has no id in the tables above.
 * `segment` may put an (already encoded) segment of its own in place of a parameter.
 */
export function fillPath(op: Operation, w: World, segment?: (param: string) => string | undefined): string | null {
	let missing = false;
	const path = op.path.replace(/\/([^/]+)\/\{(\w+)\}/g, (_, collection: string, param: string) => {
		const pick = param === "id" ? BY_COLLECTION[collection] : BY_NAME[param];
		if (!pick) missing = true;
		return `/${collection}/${segment?.(param) ?? (pick ? encodeURIComponent(pick(w)) : "")}`;
	});
	return missing ? null : path;
}

/** Query parameters that name one of `w`'s records, so a list filtered by them must stay empty for others. */
export function filterQuery(op: Operation, w: World): string {
	const values: Record<string, string> = {
		sequenceId: w.org.sequenceId,
		distributionId: w.queueId,
		consumerId: w.holder.consumerId,
		email: w.email,
	};
	const q = new URLSearchParams();
	for (const name of op.queryParams) if (values[name]) q.set(name, values[name]);
	const text = q.toString();
	return text ? `?${text}` : "";
}

/** A body each operation accepts, built from `w`'s ids; `u` keeps unique fields unique. */
const BODIES: Record<string, (w: World, u: string) => unknown> = {
	"POST /platform/v1/organizations": (_, u) => ({ name: `Org ${u}`, defaultTimeZone: "UTC" }),
	"POST /api/v1/api-keys": (_, u) => ({ type: "secret", name: `key ${u}` }),
	"POST /api/v1/products": (_, u) => ({ name: "Tee", price: 25, sku: `SKU-${u}`, inventory: 5 }),
	"PUT /api/v1/products/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/consumers": (_, u) => ({ email: `c-${u}@example.com` }),
	"POST /api/v1/consumers/{id}/tokens": (_, u) => ({ sessionId: `sess_${u}` }),
	"PUT /api/v1/consumers/{id}": () => ({ fullName: "Renamed" }),
	"POST /api/v1/orders": (w, u) => orderBody(w.holder, w.queueId, `EXT-${u}`),
	"POST /api/v1/experiences": (w) => ({ name: "Drop", productIds: [w.org.productId] }),
	"PUT /api/v1/experiences/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/experiences/{id}/sequences": (w) => ({ name: "Extra", productId: w.org.productId }),
	"PUT /api/v1/sequences/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/queues": (w) => ({ sequenceId: w.org.sequenceId }),
	"PUT /api/v1/queues/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/queues/{id}/admit": () => ({ count: 1 }),
	"POST /api/v1/queues/{id}/entries/{consumerId}/deny": () => ({ reason: "bot" }),
	"POST /api/v1/draws": (w) => ({ sequenceId: w.org.sequenceId, drawAt: iso(Date.now() + HOUR), winnerCount: 1 }),
	"PUT /api/v1/draws/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/auctions": (w) => ({ sequenceId: w.org.sequenceId, settleAt: iso(Date.now() + HOUR) }),
	"PUT /api/v1/auctions/{id}": () => ({ name: "Renamed" }),
	"POST /api/v1/admissions/validate": (w) => ({ token: w.holder.admissionToken }),
	"POST /api/v1/admissions/complete": (w, u) => ({ token: w.holder.admissionToken, orderId: `ORD-${u}` }),
	// The spare guest holds no grant: a valid revoke that leaves the holder's grant alone.
	"POST /api/v1/admissions/revoke": (w) => ({ distributionId: w.queueId, consumerId: w.shopper.consumerId }),
	"POST /consumer/v1/challenges": (w) => ({ distributionId: w.queueId, purpose: "enter" }),
	"POST /consumer/v1/challenges/guest": (w) => ({ distributionId: w.queueId }),
	// Naming the world's (unprotected) queue: a guest sign-up like any other.
	"POST /consumer/v1/auth/guest": (w) => ({ distributionId: w.queueId }),
	"PUT /api/v1/organization/turnstile": () => ({
		siteKey: "1x00000000000000000000AA",
		secret: "1x0000000000000000000000000000000AA",
	}),
	"POST /api/v1/webhook-endpoints": (w) => ({ url: w.hookUrl, events: ["webhook.test"] }),
	"PUT /api/v1/webhook-endpoints/{id}": () => ({ description: "Renamed" }),
	"POST /api/v1/webhook-endpoints/{id}/rotate-secret": () => ({ gracePeriodSeconds: 3600 }),
	"POST /consumer/v1/auctions/{id}/bids": () => ({ amount: 1000 }),
	// Enter paths take an optional body: an access code, for sequences whose access is `codes`.
	"POST /consumer/v1/queues/{id}/enter": () => ({}),
	"POST /consumer/v1/draws/{id}/enter": () => ({}),
	"POST /consumer/v1/auctions/{id}/buy-now": () => ({}),
	"POST /api/v1/sequences/{id}/access-codes": () => ({ count: 1 }),
	"POST /api/v1/sequences/{id}/access-codes/revoke": () => ({ all: true }),
	"POST /api/v1/sequences/{id}/allow-list": (w) => ({ emails: [w.email] }),
	"POST /api/v1/sequences/{id}/allow-list/remove": (w) => ({ emails: [w.email] }),
	// The spare guest's session, so exchanging it leaves the holder's alone.
	"POST /consumer/v1/auth/refresh": (w) => ({ refreshToken: w.shopper.refreshToken }),
	"POST /consumer/v1/auth/revoke": (w) => ({ refreshToken: w.shopper.refreshToken }),
};

let unique = 0;
/** The valid body for `op` (undefined when it takes none); throws for a body-taking operation without one. */
export function validBody(op: Operation, w: World): unknown {
	if (!op.bodySchema) return undefined;
	const build = BODIES[op.key];
	if (!build) throw new Error(`No valid body known for ${op.key}: add one to BODIES in test/support/operations.ts`);
	return build(w, `${Date.now().toString(36)}-${++unique}`);
}

/** Credentials of `w` for the operation's surface (consumer routes get the key and a token). */
export function credentials(op: Operation, w: World): { key: string; headers: Record<string, string> } {
	if (op.surface === "consumer") {
		return { key: w.holder.accessToken, headers: { "X-Publishable-Key": w.org.publishableKey } };
	}
	if (op.surface === "platform") return { key: env.PLATFORM_ADMIN_TOKEN, headers: {} };
	return { key: w.org.secretKey, headers: {} };
}

/** WebSocket routes (success 101) are only reached with an Upgrade header. */
export const upgradeHeaders = (op: Operation): Record<string, string> =>
	op.success.includes(101) ? { Upgrade: "websocket" } : {};

/**
 * The world's answer to each of its own reads (GET with ids in the path), to compare before and
 * after: a resource itself must read fine; a view of it may be "not yet" (a log before settling: 409).
 */
export async function readAll(ops: Operation[], w: World): Promise<Record<string, unknown>> {
	const out: Record<string, unknown> = {};
	for (const op of ops) {
		if (op.method !== "GET" || !op.pathParams.length || op.success.includes(101)) continue;
		const path = fillPath(op, w);
		if (!path) continue;
		const res = await call(path, credentials(op, w));
		const ctx = `${op.key} → ${res.status} ${res.text.slice(0, 300)}`;
		if (op.path.endsWith("}")) expect(op.success, ctx).toContain(res.status);
		else expect(res.status, ctx).toBeLessThan(500);
		if (res.json && typeof res.json === "object") {
			// A sliding one-minute count moves with the clock alone; a position ticket is sealed
			// again (fresh IV, same content) whenever the queue's object restarts.
			delete res.json.admittedLastMinute;
			delete res.json.ticket;
		}
		out[op.key] = { status: res.status, location: res.headers.get("Location"), json: res.json };
	}
	return out;
}

const UPDATED = ["products", "consumers", "orders", "experiences", "sequences", "distributions", "webhook_endpoints"];
const COUNTED = [...UPDATED, "api_keys", "webhook_deliveries", "events"];

/** Row counts (and the sum of updated_at, so an update shows too) of every tenant table, in one query. */
export async function digest(organizationId: string): Promise<Record<string, number>> {
	const where = "WHERE organization_id = ?1";
	const cols = [
		...COUNTED.map((t) => `(SELECT COUNT(*) FROM ${t} ${where}) AS ${t}`),
		...UPDATED.map((t) => `(SELECT TOTAL(updated_at) FROM ${t} ${where}) AS ${t}_updated`),
		`(SELECT COUNT(*) FROM api_keys ${where} AND revoked_at IS NOT NULL) AS api_keys_revoked`,
		"(SELECT COUNT(*) FROM idempotency_keys WHERE scope = ?1) AS idempotency_keys",
		"(SELECT updated_at FROM organizations WHERE id = ?1) AS organization_updated",
	];
	const row = await env.DB.prepare(`SELECT ${cols.join(", ")}`)
		.bind(organizationId)
		.first<Record<string, number>>();
	if (!row) throw new Error("digest query returned nothing");
	return row;
}

/** The digest once asynchronous writes (events, webhook deliveries) have stopped changing it. */
export async function settledDigest(organizationId: string, timeoutMs = 10_000): Promise<Record<string, number>> {
	const deadline = Date.now() + timeoutMs;
	let last = await digest(organizationId);
	for (;;) {
		await sleep(1200);
		const next = await digest(organizationId);
		if (JSON.stringify(next) === JSON.stringify(last)) return next;
		if (Date.now() > deadline) throw new Error(`digest of ${organizationId} never settled: ${JSON.stringify(next)}`);
		last = next;
	}
}
