/**
 * Webhooks: /api/v1/webhook-endpoints CRUD, validation and tenancy; the signing secret
 * (shown once, never listed, never in plaintext in D1); Standard Webhooks signatures
 * checked with the public `standardwebhooks` package; real events fanned out to the
 * endpoints whose `events` patterns match; at-least-once delivery through the queue with
 * retries (1 s, 2 s, … in tests), the deliveries log, manual retry and the dead-letter queue.
 *
 * Nothing is mocked: the worker POSTs to a real HTTP receiver on loopback
 * (test/support/receiver.global.ts). `POST /hooks/:name?fail=N` answers 500 to the first N
 * requests for that name, then 200; `GET /hooks/:name` lists what arrived. Delivery is
 * asynchronous, so tests poll with bounded loops.
 */
import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { type EventMessage, newEvent, storeEvents } from "../../src/events/publish";
import { backoffSeconds, fanOut, MAX_ATTEMPTS } from "../../src/events/webhooks/delivery";
import { runQueueBatch } from "../support/events";
import { call, countRows, createOrg, launch, type TestOrg } from "../support/helpers";
import { sleep, waitFor } from "../support/time";
import { createEndpoint, EP, hook, received, verify, waitForArrivals } from "../support/webhooks";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const WH_ID = /^wh_[0-9A-HJKMNP-TV-Z]{26}$/;
const EVT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

async function deliveries(org: TestOrg, endpointId: string, query = "") {
	const res = await call(`${EP}/${endpointId}/deliveries${query}`, { key: org.secretKey });
	expect(res.status, res.text).toBe(200);
	return res.json as { data: any[]; nextCursor: string | null };
}

/** Polls the deliveries log until `pred` holds for the delivery `deliveryId` (bounded). */
const waitForDelivery = async (org: TestOrg, endpointId: string, deliveryId: string, pred: (d: any) => boolean) =>
	waitFor(
		`delivery ${deliveryId}`,
		async () => (await deliveries(org, endpointId)).data.find((x) => x.id === deliveryId),
		(d) => d != null && pred(d),
		15_000,
		100,
	);

async function ping(org: TestOrg, endpointId: string): Promise<{ deliveryId: string; eventId: string }> {
	const res = await call(`${EP}/${endpointId}/test`, { key: org.secretKey, method: "POST" });
	expect(res.status, res.text).toBe(202);
	return res.json;
}

async function put(org: TestOrg, endpointId: string, body: Record<string, unknown>) {
	const res = await call(`${EP}/${endpointId}`, { key: org.secretKey, method: "PUT", body });
	expect(res.status, res.text).toBe(200);
	return res.json;
}

describe("webhook endpoints: CRUD", () => {
	it("creates an endpoint: 201 with the whsec_ secret shown once; GET and list never show it", async () => {
		const org = await createOrg();
		const url = "https://hooks.example.com/fanfare";
		const res = await call(EP, {
			key: org.secretKey,
			body: { url, events: ["queue.*", "order.created"], description: "Main hook" },
		});
		expect(res.status, res.text).toBe(201);
		const created = res.json;
		expect(created).toEqual({
			id: expect.stringMatching(WH_ID),
			url,
			description: "Main hook",
			events: ["queue.*", "order.created"],
			enabled: true,
			createdAt: expect.stringMatching(ISO_UTC),
			updatedAt: expect.stringMatching(ISO_UTC),
			secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/),
		});
		// At least 24 random bytes (Standard Webhooks asks for 24–64).
		expect(atob(created.secret.slice("whsec_".length)).length).toBeGreaterThanOrEqual(24);

		const { secret, ...publicFields } = created;
		const got = await call(`${EP}/${created.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(publicFields);
		expect(got.text).not.toContain(secret);
		expect(got.text).not.toContain(secret.slice(6));
		expect(got.text).not.toMatch(/secret/i);

		const list = await call(EP, { key: org.secretKey });
		expect(list.status).toBe(200);
		expect(list.json).toEqual({ data: [publicFields], nextCursor: null });
		expect(list.text).not.toContain(secret.slice(6));
		expect(list.text).not.toMatch(/secret/i);

		// Two endpoints never share a secret.
		const other = await createEndpoint(org, { url, events: ["*"] });
		expect(other.secret).not.toBe(secret);
	});

	it("the secret is not stored in plaintext anywhere in D1 (endpoint row, idempotency record, …)", async () => {
		const org = await createOrg();
		const idemKey = `wh-${Date.now()}`;
		const res = await call(EP, {
			key: org.secretKey,
			body: { url: "https://hooks.example.com/x", events: ["*"] },
			headers: { "X-Idempotency-Key": idemKey },
		});
		expect(res.status, res.text).toBe(201);
		const { id, secret } = res.json;
		const raw = secret.slice("whsec_".length);
		const rawHex = [...atob(raw)].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");

		const columns = await env.DB.prepare("PRAGMA table_info(webhook_endpoints)").all<{ name: string }>();
		const row = await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?")
			.bind(id)
			.first<Record<string, unknown>>();
		expect(row).not.toBeNull();
		expect(Object.keys(row ?? {}).sort()).toEqual(columns.results.map((c) => c.name).sort());
		for (const [column, value] of Object.entries(row ?? {})) {
			const text = String(value);
			expect(text, column).not.toContain(raw);
			expect(text.toLowerCase(), column).not.toContain(rawHex);
		}
		expect(String(row?.secret_ciphertext).length).toBeGreaterThan(0);

		// Every table: no row holds the secret (the idempotency record of the 201 above included).
		const tables = await env.DB.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
		).all<{ name: string }>();
		expect(tables.results.length).toBeGreaterThan(5);
		for (const { name } of tables.results) {
			const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
			const dump = JSON.stringify(results);
			expect(dump.includes(raw), `table ${name} holds the secret`).toBe(false);
		}

		// A replay under the same key answers the same endpoint (and secret), creating nothing.
		const replay = await call(EP, {
			key: org.secretKey,
			body: { url: "https://hooks.example.com/x", events: ["*"] },
			headers: { "X-Idempotency-Key": idemKey },
		});
		expect(replay.status).toBe(201);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.json).toEqual(res.json);
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(1);
	});

	it("PUT is partial: url, events, description, enabled; the secret is kept", async () => {
		const org = await createOrg();
		const created = await createEndpoint(org, {
			url: "https://a.example.com/h",
			events: ["queue.*"],
			description: "first",
		});
		const { secret, ...before } = created;

		const onlyDescription = await put(org, created.id, { description: "second" });
		expect(onlyDescription).toEqual({ ...before, description: "second", updatedAt: expect.stringMatching(ISO_UTC) });

		const all = await put(org, created.id, {
			url: "https://b.example.com/h",
			events: ["draw.*", "auction.settled"],
			description: null,
			enabled: false,
		});
		expect(all).toEqual({
			...before,
			url: "https://b.example.com/h",
			events: ["draw.*", "auction.settled"],
			description: null,
			enabled: false,
			updatedAt: expect.stringMatching(ISO_UTC),
		});
		expect((await call(`${EP}/${created.id}`, { key: org.secretKey })).json).toEqual(all);

		const empty = await put(org, created.id, {});
		expect(empty).toEqual({ ...all, updatedAt: expect.stringMatching(ISO_UTC) });
		expect(JSON.stringify(empty)).not.toContain(secret.slice(6));
	});

	it("DELETE → 204, then 404 everywhere", async () => {
		const org = await createOrg();
		const created = await createEndpoint(org, { url: "https://a.example.com/h", events: ["*"] });
		const del = await call(`${EP}/${created.id}`, { key: org.secretKey, method: "DELETE" });
		expect(del.status).toBe(204);
		expect(del.text).toBe("");
		expect((await call(`${EP}/${created.id}`, { key: org.secretKey })).status).toBe(404);
		expect((await call(`${EP}/${created.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(404);
		expect((await call(EP, { key: org.secretKey })).json.data).toEqual([]);
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(0);
	});

	it("lists newest first with paging", async () => {
		const org = await createOrg();
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) {
			ids.push((await createEndpoint(org, { url: `https://a.example.com/${i}`, events: ["*"] })).id);
		}
		const first = await call(`${EP}?limit=2`, { key: org.secretKey });
		expect(first.json.data.map((e: any) => e.id)).toEqual([ids[2], ids[1]]);
		expect(first.json.nextCursor).toEqual(expect.any(String));
		const second = await call(`${EP}?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`, {
			key: org.secretKey,
		});
		expect(second.json).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
	});
});

describe("webhook endpoints: validation", () => {
	const good = { url: "https://hooks.example.com/h", events: ["*"] };

	it.each([
		["http URL to a public host", { ...good, url: "http://hooks.example.com/h" }, "url"],
		["ftp URL", { ...good, url: "ftp://hooks.example.com/h" }, "url"],
		["not a URL", { ...good, url: "hooks.example.com" }, "url"],
		["missing url", { events: ["*"] }, "url"],
		["empty events", { ...good, events: [] }, "events"],
		["missing events", { url: good.url }, "events"],
		["events not an array", { ...good, events: "queue.*" }, "events"],
		["upper-case event", { ...good, events: ["Queue.Opened"] }, "events"],
		["wildcard in the middle", { ...good, events: ["queue.*.opened"] }, "events"],
		["leading wildcard", { ...good, events: ["*.opened"] }, "events"],
		["bare prefix wildcard", { ...good, events: ["queue*"] }, "events"],
		["empty pattern", { ...good, events: [""] }, "events"],
		["double dot", { ...good, events: ["queue..opened"] }, "events"],
		["unknown field", { ...good, secret: "whsec_mine" }, "secret"],
		["unknown field active", { ...good, active: true }, "active"],
		["description too long", { ...good, description: "x".repeat(501) }, "description"],
	])("POST rejects %s → 400", async (_label, body, path) => {
		const org = await createOrg();
		const res = await call(EP, { key: org.secretKey, body });
		expect(res.status, res.text).toBe(400);
		expect(res.headers.get("Content-Type")).toContain("application/problem+json");
		expect(res.json.title).toBe("Validation failed");
		expect(JSON.stringify(res.json.errors ?? [])).toContain(path);
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(0);
	});

	it("malformed JSON → 400", async () => {
		const org = await createOrg();
		const res = await call(EP, {
			key: org.secretKey,
			raw: "{not json",
			headers: { "Content-Type": "application/json" },
		});
		expect(res.status).toBe(400);
	});

	it.each([
		"http://127.0.0.1:8080/hooks",
		"http://localhost/hooks",
		"http://localhost:3000/hooks",
		"https://hooks.example.com/h?x=1",
	])("accepts %s", async (url) => {
		const org = await createOrg();
		const res = await call(EP, { key: org.secretKey, body: { url, events: ["queue.opened"] } });
		expect(res.status, res.text).toBe(201);
		expect(res.json.url).toBe(url);
	});

	it("accepts exact types, prefix.* and *", async () => {
		const org = await createOrg();
		const events = ["queue.consumer.admitted", "draw.*", "auction.bid.placed", "queue.consumer.*", "*"];
		const ep = await createEndpoint(org, { url: good.url, events });
		expect(ep.events).toEqual(events);
	});

	it("PUT validates the same way and ignores nothing", async () => {
		const org = await createOrg();
		const ep = await createEndpoint(org, good);
		for (const body of [
			{ url: "http://hooks.example.com/h" },
			{ events: [] },
			{ events: ["Queue.*"] },
			{ enabled: "no" },
			{ secret: "whsec_x" },
			{ organizationId: "org_x" },
		]) {
			const res = await call(`${EP}/${ep.id}`, { key: org.secretKey, method: "PUT", body });
			expect(res.status, JSON.stringify(body)).toBe(400);
		}
		const { secret: _s, ...unchanged } = ep;
		expect((await call(`${EP}/${ep.id}`, { key: org.secretKey })).json).toEqual(unchanged);
	});

	it("auth: no key → 401, publishable key → 403", async () => {
		const org = await createOrg();
		expect((await call(EP, { body: good })).status).toBe(401);
		expect((await call(EP, { key: org.publishableKey, body: good })).status).toBe(403);
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(0);
	});
});

describe("webhook endpoints: tenancy", () => {
	it("another organization's endpoint is a 404 on every route, and never listed", async () => {
		const a = await createOrg();
		const b = await createOrg();
		const { endpoint } = await hook(a, ["*"]);
		const { deliveryId } = await ping(a, endpoint.id);
		const base = `${EP}/${endpoint.id}`;
		for (const [method, path, body] of [
			["GET", base, undefined],
			["PUT", base, { enabled: false }],
			["DELETE", base, undefined],
			["POST", `${base}/test`, undefined],
			["GET", `${base}/deliveries`, undefined],
			["POST", `${base}/deliveries/${deliveryId}/retry`, undefined],
		] as const) {
			const res = await call(path, { key: b.secretKey, method, body });
			expect(res.status, `${method} ${path}`).toBe(404);
			expect(res.headers.get("Content-Type")).toContain("application/problem+json");
		}
		expect((await call(EP, { key: b.secretKey })).json.data).toEqual([]);
		// Unchanged for its owner.
		const own = await call(base, { key: a.secretKey });
		expect(own.status).toBe(200);
		expect(own.json.enabled).toBe(true);
		// Unknown ids are 404 too.
		expect((await call(`${EP}/wh_01HXYZ123456789ABCDEFGHJKM`, { key: a.secretKey })).status).toBe(404);
	});

	it("a delivery id of another endpoint cannot be retried through this one", async () => {
		const org = await createOrg();
		const one = await hook(org, ["*"]);
		const two = await hook(org, ["*"]);
		const { deliveryId } = await ping(org, one.endpoint.id);
		const res = await call(`${EP}/${two.endpoint.id}/deliveries/${deliveryId}/retry`, {
			key: org.secretKey,
			method: "POST",
		});
		expect(res.status).toBe(404);
		const unknown = await call(`${EP}/${one.endpoint.id}/deliveries/dlv_01HXYZ123456789ABCDEFGHJKM/retry`, {
			key: org.secretKey,
			method: "POST",
		});
		expect(unknown.status).toBe(404);
	});
});

describe("webhook delivery", () => {
	it("test ping: 202, a signed webhook.test event to that endpoint only, verified by standardwebhooks", async () => {
		const org = await createOrg();
		const target = await hook(org, ["order.created"]);
		const bystander = await hook(org, ["*"]);
		const { deliveryId, eventId } = await ping(org, target.endpoint.id);
		expect(deliveryId).toMatch(/^dlv_/);
		expect(eventId).toMatch(EVT_ID);

		const [arrival] = await waitForArrivals(target.name, 1);
		expect(arrival.status).toBe(200);
		expect(arrival.headers["content-type"]).toContain("application/json");
		expect(arrival.headers["webhook-id"]).toBe(eventId);
		expect(arrival.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
		expect(Math.abs(Number(arrival.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
		expect(arrival.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

		const payload = verify(target.endpoint.secret, arrival);
		expect(payload).toEqual({
			id: eventId,
			type: "webhook.test",
			distributionId: null,
			distributionType: null,
			data: expect.objectContaining({ endpointId: target.endpoint.id }),
			createdAt: expect.stringMatching(ISO_UTC),
		});

		const d = await waitForDelivery(org, target.endpoint.id, deliveryId, (x) => x.status === "succeeded");
		expect(d).toEqual({
			id: deliveryId,
			eventId,
			eventType: "webhook.test",
			status: "succeeded",
			attempts: [
				{
					attempt: 1,
					statusCode: 200,
					latencyMs: expect.any(Number),
					error: null,
					at: expect.stringMatching(ISO_UTC),
				},
			],
			nextRetryAt: null,
			createdAt: expect.stringMatching(ISO_UTC),
		});
		expect(d.attempts[0].latencyMs).toBeGreaterThanOrEqual(0);

		await sleep(1500);
		expect(await received(target.name)).toHaveLength(1);
		expect(await received(bystander.name)).toEqual([]);
		expect((await deliveries(org, bystander.endpoint.id)).data).toEqual([]);
	});

	it("a tampered body, id or timestamp, or the wrong secret, fails verification; the HMAC is over id.timestamp.body", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const other = await createEndpoint(org, { url: "https://a.example.com/h", events: ["*"] });
		await ping(org, endpoint.id);
		const [a] = await waitForArrivals(name, 1);

		expect(() => verify(endpoint.secret, a)).not.toThrow();
		expect(() => new Webhook(endpoint.secret).verify(`${a.body} `, a.headers)).toThrow();
		expect(() =>
			new Webhook(endpoint.secret).verify(a.body.replace("webhook.test", "order.created"), a.headers),
		).toThrow();
		expect(() => new Webhook(other.secret).verify(a.body, a.headers)).toThrow();
		expect(() =>
			new Webhook(endpoint.secret).verify(a.body, { ...a.headers, "webhook-id": "evt_01HXYZ123456789ABCDEFGHJKM" }),
		).toThrow();
		const ts = String(Number(a.headers["webhook-timestamp"]) - 1);
		expect(() => new Webhook(endpoint.secret).verify(a.body, { ...a.headers, "webhook-timestamp": ts })).toThrow();
		// Outside the 5-minute tolerance even with a valid signature over that timestamp.
		const oldTs = new Date(Date.now() - 10 * 60_000);
		const oldSig = new Webhook(endpoint.secret).sign(a.headers["webhook-id"], oldTs, a.body);
		expect(() =>
			new Webhook(endpoint.secret).verify(a.body, {
				...a.headers,
				"webhook-timestamp": String(Math.floor(oldTs.getTime() / 1000)),
				"webhook-signature": oldSig,
			}),
		).toThrow();

		// Independent of the package: base64(HMAC-SHA256(base64decode(secret), "id.ts.body")).
		const keyBytes = Uint8Array.from(atob(endpoint.secret.slice(6)), (c) => c.charCodeAt(0));
		const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
		const mac = await crypto.subtle.sign(
			"HMAC",
			key,
			new TextEncoder().encode(`${a.headers["webhook-id"]}.${a.headers["webhook-timestamp"]}.${a.body}`),
		);
		const expected = btoa(String.fromCharCode(...new Uint8Array(mac)));
		expect(a.headers["webhook-signature"].split(" ")).toContain(`v1,${expected}`);
	});

	it("a real event (experience.created) arrives signed as {id, type, distributionId, distributionType, data, createdAt}; filters pick who gets what", async () => {
		const org = await createOrg();
		const stranger = await createOrg();
		const all = await hook(org, ["*"]);
		const exact = await hook(org, ["experience.created"]);
		const prefix = await hook(org, ["sequence.*"]);
		const queues = await hook(org, ["queue.*"]);
		const disabled = await hook(org, ["*"]);
		await put(org, disabled.endpoint.id, { enabled: false });
		const foreign = await hook(stranger, ["*"]);

		const { experienceId, sequenceId } = await launch(org);

		const [got] = await waitForArrivals(exact.name, 1);
		const payload = verify(exact.endpoint.secret, got);
		expect(Object.keys(JSON.parse(got.body)).sort()).toEqual([
			"createdAt",
			"data",
			"distributionId",
			"distributionType",
			"id",
			"type",
		]);
		expect(payload).toEqual({
			id: expect.stringMatching(EVT_ID),
			type: "experience.created",
			distributionId: null,
			distributionType: null,
			data: { object: expect.objectContaining({ id: experienceId, name: "Launch" }) },
			createdAt: expect.stringMatching(ISO_UTC),
		});
		expect(got.headers["webhook-id"]).toBe(payload.id);
		// The same event the event log lists.
		const log = await call("/api/v1/events?type=experience.created", { key: org.secretKey });
		expect(log.status).toBe(200);
		expect(log.json.data.map((e: any) => e.id)).toContain(payload.id);

		// `*` gets both events, each verified.
		const everything = await waitForArrivals(all.name, 2);
		const types = everything.map((a) => verify(all.endpoint.secret, a).type).sort();
		expect(types).toEqual(["experience.created", "sequence.created"]);
		const experienceToAll = everything.find((a) => a.body.includes('"experience.created"'));
		expect(experienceToAll?.headers["webhook-id"]).toBe(payload.id);

		// `sequence.*` gets sequence.created only.
		const [seqArrival] = await waitForArrivals(prefix.name, 1);
		expect(verify(prefix.endpoint.secret, seqArrival)).toMatchObject({
			type: "sequence.created",
			data: { object: expect.objectContaining({ id: sequenceId }) },
		});

		await sleep(2000);
		expect(await received(exact.name)).toHaveLength(1); // not sequence.created
		expect(await received(all.name)).toHaveLength(2);
		expect(await received(prefix.name)).toHaveLength(1);
		expect(await received(queues.name)).toEqual([]);
		expect(await received(disabled.name)).toEqual([]);
		expect(await received(foreign.name)).toEqual([]);
		for (const ep of [queues, disabled]) expect((await deliveries(org, ep.endpoint.id)).data).toEqual([]);
		expect((await deliveries(stranger, foreign.endpoint.id)).data).toEqual([]);
	});

	it("a receiver failing twice then succeeding: three POSTs (500, 500, 200) with the same webhook-id; 3 attempts logged", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"], 2);
		const { deliveryId, eventId } = await ping(org, endpoint.id);

		// After the first failure the delivery is `failed` with a next retry ≈ 1 s later.
		await waitForArrivals(name, 1);
		const afterFirst = await waitForDelivery(org, endpoint.id, deliveryId, (d) => d.attempts.length >= 1);
		if (afterFirst.attempts.length === 1) {
			expect(afterFirst.status).toBe("failed");
			expect(afterFirst.attempts[0]).toMatchObject({ attempt: 1, statusCode: 500 });
			expect(afterFirst.nextRetryAt).toMatch(ISO_UTC);
			const delay = Date.parse(afterFirst.nextRetryAt) - Date.parse(afterFirst.attempts[0].at);
			expect(delay).toBeGreaterThanOrEqual(0);
			expect(delay).toBeLessThanOrEqual(3000);
		}

		const arrivals = await waitForArrivals(name, 3);
		expect(arrivals.map((a) => a.status)).toEqual([500, 500, 200]);
		expect(new Set(arrivals.map((a) => a.headers["webhook-id"]))).toEqual(new Set([eventId]));
		expect(new Set(arrivals.map((a) => a.body)).size).toBe(1);
		for (const a of arrivals) expect(verify(endpoint.secret, a).id).toBe(eventId);

		const d = await waitForDelivery(org, endpoint.id, deliveryId, (x) => x.status === "succeeded");
		expect(d.attempts.map((t: any) => [t.attempt, t.statusCode])).toEqual([
			[1, 500],
			[2, 500],
			[3, 200],
		]);
		expect(d.attempts[2].error).toBeNull();
		expect(d.nextRetryAt).toBeNull();
		// Backoff doubles: the gaps between attempts are ≈ 1 s then ≈ 2 s.
		const at = d.attempts.map((t: any) => Date.parse(t.at));
		expect(at[1] - at[0]).toBeGreaterThanOrEqual(0);
		expect(at[2] - at[1]).toBeGreaterThanOrEqual(1000);

		// No redelivery after success.
		await sleep(2500);
		expect(await received(name)).toHaveLength(3);
	});

	it("an unreachable endpoint: the attempt logs no status code, no latency, a generic error, and a next retry", async () => {
		const org = await createOrg();
		const endpoint = await createEndpoint(org, { url: "http://127.0.0.1:1/hooks", events: ["*"] });
		const { deliveryId } = await ping(org, endpoint.id);
		const d = await waitForDelivery(org, endpoint.id, deliveryId, (x) => x.attempts.length >= 1);
		expect(d.attempts[0]).toEqual({
			attempt: 1,
			statusCode: null,
			latencyMs: null,
			error: "no response",
			at: expect.stringMatching(ISO_UTC),
		});
		if (d.attempts.length === 1) {
			expect(d.status).toBe("failed");
			expect(d.nextRetryAt).toMatch(ISO_UTC);
		}
		expect((await call(`${EP}/${endpoint.id}`, { key: org.secretKey, method: "DELETE" })).status).toBe(204);
	});

	it("at least once: an event redelivered after fan-out crashed before queueing its deliveries still arrives", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["order.*"]);
		const event = newEvent(org.organizationId, "order.created", { object: { id: "ord_test" } });
		const message = (id: string, attempts: number) => ({ id, timestamp: new Date(), attempts, body: event });

		// First delivery of the events message: stored, deliveries created, then sending them to the
		// WEBHOOKS queue fails (a transient Queues error), so the consumer throws and the message is retried.
		await storeEvents(env.DB, createMessageBatch<EventMessage>("fanfare-events", [message("m1", 1)]));
		const broken = {
			...env,
			WEBHOOKS: {
				send: () => Promise.reject(new Error("queue unavailable")),
				sendBatch: () => Promise.reject(new Error("queue unavailable")),
			},
		} as unknown as Env;
		await expect(fanOut(broken, [event])).rejects.toThrow("queue unavailable");

		// The redelivered events message must still get the event to the endpoint.
		await runQueueBatch("fanfare-events", [message("m1", 2)]);
		const [arrival] = await waitForArrivals(name, 1, 6000);
		expect(verify(endpoint.secret, arrival)).toMatchObject({ id: event.id, type: "order.created" });
	});

	it("an endpoint deleted mid-retry stops receiving", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"], 100);
		await ping(org, endpoint.id);
		await waitForArrivals(name, 1);
		const del = await call(`${EP}/${endpoint.id}`, { key: org.secretKey, method: "DELETE" });
		expect(del.status).toBe(204);
		// Retries would come at +1 s and +3 s.
		await sleep(4500);
		expect(await received(name)).toHaveLength(1);
	});

	it("a disabled endpoint gets no retries; manual retry re-sends the failed delivery with the same webhook-id", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"], 1);
		const { deliveryId, eventId } = await ping(org, endpoint.id);
		await waitForArrivals(name, 1);
		await put(org, endpoint.id, { enabled: false });
		await sleep(3000); // past the 1 s retry
		expect((await received(name)).map((a) => a.status)).toEqual([500]);
		const failed = (await deliveries(org, endpoint.id)).data.find((d) => d.id === deliveryId);
		expect(failed.status).toBe("failed");
		expect(failed.attempts.map((t: any) => t.statusCode)).toEqual([500]);

		await put(org, endpoint.id, { enabled: true });
		const retry = await call(`${EP}/${endpoint.id}/deliveries/${deliveryId}/retry`, {
			key: org.secretKey,
			method: "POST",
		});
		expect(retry.status, retry.text).toBe(202);
		expect(retry.json).toEqual({ deliveryId });

		const arrivals = await waitForArrivals(name, 2);
		expect(arrivals.map((a) => a.status)).toEqual([500, 200]);
		expect(arrivals[1].headers["webhook-id"]).toBe(eventId);
		expect(verify(endpoint.secret, arrivals[1]).id).toBe(eventId);
		const d = await waitForDelivery(org, endpoint.id, deliveryId, (x) => x.status === "succeeded");
		expect(d.attempts.map((t: any) => [t.attempt, t.statusCode])).toEqual([
			[1, 500],
			[2, 200],
		]);
		expect(d.nextRetryAt).toBeNull();
		await sleep(1500);
		expect(await received(name)).toHaveLength(2);
	});

	it("deliveries: newest first, paged with an opaque cursor; bad paging → 400", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const sent: string[] = [];
		for (let i = 0; i < 3; i++) sent.push((await ping(org, endpoint.id)).deliveryId);
		await waitForArrivals(name, 3);
		for (const id of sent) await waitForDelivery(org, endpoint.id, id, (x) => x.status === "succeeded");

		const first = await deliveries(org, endpoint.id, "?limit=2");
		expect(first.data.map((d) => d.id)).toEqual([sent[2], sent[1]]);
		expect(first.nextCursor).toEqual(expect.any(String));
		const second = await deliveries(org, endpoint.id, `?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? "")}`);
		expect(second.data.map((d) => d.id)).toEqual([sent[0]]);
		expect(second.nextCursor).toBeNull();
		for (const d of [...first.data, ...second.data]) {
			expect(d.attempts).toHaveLength(1);
			expect(d.eventType).toBe("webhook.test");
		}
		const all = await deliveries(org, endpoint.id);
		expect(all.data.map((d) => d.id)).toEqual([...sent].reverse());

		for (const q of ["?limit=0", "?limit=101", "?limit=x", "?cursor=garbage"]) {
			const res = await call(`${EP}/${endpoint.id}/deliveries${q}`, { key: org.secretKey });
			expect(res.status, q).toBe(400);
		}
		// A cursor of another list is rejected, not silently reinterpreted.
		await hook(org, ["*"]); // a second endpoint, so the endpoints list has a next page
		const endpointsCursor = (await call(`${EP}?limit=1`, { key: org.secretKey })).json.nextCursor;
		expect(endpointsCursor).toEqual(expect.any(String));
		const res = await call(`${EP}/${endpoint.id}/deliveries?cursor=${encodeURIComponent(endpointsCursor)}`, {
			key: org.secretKey,
		});
		expect(res.status).toBe(400);
	});
});

describe("dead-letter queue", () => {
	it("a message from the DLQ marks its failed delivery dead; a manual retry can still revive it", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"], 1);
		const { deliveryId } = await ping(org, endpoint.id);
		await waitForArrivals(name, 1);
		// Stop the queue's own retries so the DLQ message is the last word.
		await put(org, endpoint.id, { enabled: false });
		await sleep(2500);

		await runQueueBatch("fanfare-webhooks-dlq", [
			{ id: "dlq-1", timestamp: new Date(), attempts: MAX_ATTEMPTS, body: { deliveryId } },
		]);

		const dead = (await deliveries(org, endpoint.id)).data.find((d) => d.id === deliveryId);
		expect(dead.status).toBe("dead");
		expect(dead.nextRetryAt).toBeNull();
		expect(dead.attempts.map((t: any) => t.statusCode)).toEqual([500]);

		await put(org, endpoint.id, { enabled: true });
		const retry = await call(`${EP}/${endpoint.id}/deliveries/${deliveryId}/retry`, {
			key: org.secretKey,
			method: "POST",
		});
		expect(retry.status).toBe(202);
		const d = await waitForDelivery(org, endpoint.id, deliveryId, (x) => x.status === "succeeded");
		expect(d.attempts.map((t: any) => t.statusCode)).toEqual([500, 200]);
	});

	it("a DLQ message never turns a succeeded delivery dead; an unknown delivery id is acknowledged", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const { deliveryId } = await ping(org, endpoint.id);
		await waitForArrivals(name, 1);
		await waitForDelivery(org, endpoint.id, deliveryId, (x) => x.status === "succeeded");

		await runQueueBatch("fanfare-webhooks-dlq", [
			{ id: "dlq-2", timestamp: new Date(), attempts: MAX_ATTEMPTS, body: { deliveryId } },
			{ id: "dlq-3", timestamp: new Date(), attempts: MAX_ATTEMPTS, body: { deliveryId: "dlv_unknown" } },
		]);
		const d = (await deliveries(org, endpoint.id)).data.find((x) => x.id === deliveryId);
		expect(d.status).toBe("succeeded");
	});

	it("production backoff doubles from 40 s and gives up after about a day", () => {
		const prod = { ...env, WEBHOOK_RETRY_BASE_SECONDS: "40" } as Env;
		const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => backoffSeconds(prod, i + 1));
		expect(delays.slice(0, 4)).toEqual([40, 80, 160, 320]);
		for (const s of delays) expect(s).toBeLessThanOrEqual(43_200); // Queues' max delay
		const total = delays.reduce((a, b) => a + b, 0);
		expect(total / 3600).toBeGreaterThan(20);
		expect(total / 3600).toBeLessThan(26);
		// Tests run with a 1 s base.
		expect([1, 2, 3].map((n) => backoffSeconds(env, n))).toEqual([1, 2, 4]);
	});
});
