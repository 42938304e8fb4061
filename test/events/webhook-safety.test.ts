/**
 * Delivery-time safety and secret rotation, against the real loopback receiver
 * (test/support/receiver.global.ts): redirects are answered, not followed; a failure without a
 * response reads the same whatever the cause (no port-scan oracle); the destination is checked
 * again before every attempt; and a rolled secret signs next to the new one for its grace period,
 * so a receiver holding either verifies every delivery and none is missed.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import { newEvent } from "../../src/events/publish";
import { deliver } from "../../src/events/webhooks/delivery";
import { insertEventWithDelivery } from "../../src/events/webhooks/repo";
import { call, createOrg, type TestOrg } from "../support/helpers";
import { expectFieldError, expectProblem } from "../support/problems";
import { sleep, waitFor } from "../support/time";
import { createEndpoint, EP, hook, hookName, hookUrl, received, verify, waitForArrivals } from "../support/webhooks";

async function ping(org: TestOrg, endpointId: string): Promise<{ deliveryId: string; eventId: string }> {
	const res = await call(`${EP}/${endpointId}/test`, { key: org.secretKey, method: "POST" });
	expect(res.status, res.text).toBe(202);
	return res.json;
}

async function delivery(org: TestOrg, endpointId: string, deliveryId: string) {
	const res = await call(`${EP}/${endpointId}/deliveries`, { key: org.secretKey });
	return res.json.data.find((d: { id: string }) => d.id === deliveryId);
}

const waitForAttempts = (org: TestOrg, endpointId: string, deliveryId: string, n = 1) =>
	waitFor(
		`${n} attempts of ${deliveryId}`,
		() => delivery(org, endpointId, deliveryId),
		(d) => (d?.attempts.length ?? 0) >= n,
		15_000,
		100,
	);

const rotate = (org: TestOrg, endpointId: string, body?: unknown) =>
	call(`${EP}/${endpointId}/rotate-secret`, { key: org.secretKey, method: "POST", body });

/** The signatures of an arrival (`v1,<b64>` each). */
const signatures = (headers: Record<string, string>) => headers["webhook-signature"].split(" ");

describe("webhook delivery: redirects, failures, re-checks", () => {
	it("a 3xx is a failed attempt: the redirect is not followed", async () => {
		const org = await createOrg();
		const name = hookName("redirect");
		const endpoint = await createEndpoint(org, { url: `${hookUrl(name)}?redirect=1`, events: ["*"] });
		const { deliveryId } = await ping(org, endpoint.id);
		const d = await waitForAttempts(org, endpoint.id, deliveryId);
		expect(d.status).not.toBe("succeeded");
		expect(d.attempts[0]).toMatchObject({ statusCode: 302, error: "redirect not followed (HTTP 302)" });
		expect(d.attempts[0].latencyMs).toEqual(expect.any(Number));
		expect((await received(name)).map((a) => a.status)).toContain(302);
		await sleep(1500); // a retry (1 s later in tests) is redirected again, never followed either
		expect(await received(`${name}-target`)).toEqual([]);
	});

	it("no response reads the same whatever the cause: closed port and TLS to a plain-HTTP server", async () => {
		const org = await createOrg();
		const receiverPort = new URL(inject("receiverUrl")).port;
		const closed = await createEndpoint(org, { url: "http://127.0.0.1:1/hooks/closed", events: ["*"] });
		const tls = await createEndpoint(org, { url: `https://127.0.0.1:${receiverPort}/hooks/tls`, events: ["*"] });
		const answers = [];
		for (const endpoint of [closed, tls]) {
			const { deliveryId } = await ping(org, endpoint.id);
			const d = await waitForAttempts(org, endpoint.id, deliveryId);
			answers.push(d.attempts[0]);
			// No retries after the first attempt (each TLS failure makes workerd log an internal report).
			await call(`${EP}/${endpoint.id}`, { key: org.secretKey, method: "PUT", body: { enabled: false } });
			const row = await env.DB.prepare(
				"SELECT last_error, last_latency_ms, last_status_code FROM webhook_deliveries WHERE id = ?",
			)
				.bind(deliveryId)
				.first();
			expect(row).toEqual({ last_error: "no response", last_latency_ms: null, last_status_code: null });
		}
		for (const a of answers) expect(a).toMatchObject({ statusCode: null, latencyMs: null, error: "no response" });
	});

	it("the destination is checked again before each attempt: a refused one is never contacted", async () => {
		const org = await createOrg();
		const name = hookName("recheck");
		// Registered in local development (a loopback receiver), delivered under the production rule.
		const endpoint = await createEndpoint(org, { url: hookUrl(name), events: ["*"] });
		const event = newEvent(org.organizationId, "webhook.test", { endpointId: endpoint.id });
		const deliveryId = `dlv_recheck${Date.now()}`;
		await insertEventWithDelivery(env.DB, event, {
			id: deliveryId,
			organizationId: org.organizationId,
			endpointId: endpoint.id,
			eventId: event.id,
			eventType: event.type,
			status: "pending",
			createdAt: event.createdAt,
			updatedAt: event.createdAt,
		});
		const prod = { ...env, ALLOW_PRIVATE_WEBHOOKS: "false" } as Env;
		expect(await deliver(prod, deliveryId, 1)).toBe("retry");
		const d = await delivery(org, endpoint.id, deliveryId);
		expect(d.status).toBe("failed");
		expect(d.attempts).toEqual([expect.objectContaining({ statusCode: null, latencyMs: null })]);
		expect(d.attempts[0].error).toMatch(/^destination refused: .*http/);
		expect(await received(name)).toEqual([]);
	});
});

describe("webhook secret rotation", () => {
	it("returns the new secret once; for the grace period every delivery verifies with the old and with the new", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const before = Date.now();
		const res = await rotate(org, endpoint.id);
		expect(res.status, res.text).toBe(200);
		const { secret, previousSecretExpiresAt, ...fields } = res.json;
		const { secret: oldSecret, updatedAt: _u, ...unchanged } = endpoint;
		expect(fields).toEqual({ ...unchanged, updatedAt: expect.any(String) });
		expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
		expect(secret).not.toBe(oldSecret);
		const expires = Date.parse(previousSecretExpiresAt);
		expect(expires - before).toBeGreaterThan(86_400_000 - 5_000);
		expect(expires - before).toBeLessThanOrEqual(86_400_000 + 5_000);

		// Shown once: neither GET nor the list, nor any D1 column, holds either secret.
		const got = await call(`${EP}/${endpoint.id}`, { key: org.secretKey });
		expect(got.text).not.toMatch(/secret/i);
		const row = JSON.stringify(
			await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").bind(endpoint.id).first(),
		);
		for (const s of [secret, oldSecret]) expect(row).not.toContain(s.slice(6));

		await ping(org, endpoint.id);
		const [arrival] = await waitForArrivals(name, 1);
		expect(signatures(arrival.headers)).toHaveLength(2);
		expect(verify(secret, arrival).type).toBe("webhook.test");
		expect(verify(oldSecret, arrival).type).toBe("webhook.test");
		expect(() => new Webhook(`whsec_${btoa("x".repeat(24))}`).verify(arrival.body, arrival.headers)).toThrow();
	});

	it("rotating during a burst misses no delivery: each verifies with the secret the receiver held", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const sent = await Promise.all([
			...Array.from({ length: 4 }, () => ping(org, endpoint.id)),
			rotate(org, endpoint.id),
			...Array.from({ length: 4 }, () => ping(org, endpoint.id)),
		]);
		const rotated = sent[4] as Awaited<ReturnType<typeof rotate>>;
		expect(rotated.status).toBe(200);
		const arrivals = await waitForArrivals(name, 8);
		await sleep(1500);
		const all = await received(name);
		expect(all).toHaveLength(8);
		// A receiver still on the old secret accepts all eight; one already on the new accepts every one signed after.
		for (const a of all) expect(verify(endpoint.secret, a).type).toBe("webhook.test");
		const withNew = all.filter((a) => signatures(a.headers).length === 2);
		for (const a of withNew) expect(verify(rotated.json.secret, a).type).toBe("webhook.test");
		expect(new Set(arrivals.map((a) => a.headers["webhook-id"])).size).toBe(8);
	});

	it("gracePeriodSeconds 0 retires the old secret at once; an expired grace signs with the new one only", async () => {
		const org = await createOrg();
		const { name, endpoint } = await hook(org, ["*"]);
		const first = await rotate(org, endpoint.id);
		const second = await rotate(org, endpoint.id, { gracePeriodSeconds: 0 });
		expect(second.status, second.text).toBe(200);
		expect(second.json.previousSecretExpiresAt).toBeNull();
		await ping(org, endpoint.id);
		const [a] = await waitForArrivals(name, 1);
		expect(signatures(a.headers)).toHaveLength(1);
		expect(verify(second.json.secret, a).type).toBe("webhook.test");
		for (const old of [endpoint.secret, first.json.secret]) expect(() => verify(old, a)).toThrow();

		// A grace that has run out: only the newest secret signs.
		const third = await rotate(org, endpoint.id, { gracePeriodSeconds: 60 });
		await env.DB.prepare("UPDATE webhook_endpoints SET previous_secret_expires_at = ? WHERE id = ?")
			.bind(Date.now() - 1, endpoint.id)
			.run();
		await ping(org, endpoint.id);
		const [, b] = await waitForArrivals(name, 2);
		expect(signatures(b.headers)).toHaveLength(1);
		expect(verify(third.json.secret, b).type).toBe("webhook.test");
		expect(() => verify(second.json.secret, b)).toThrow();
	});

	it("bad bodies → 400 and nothing changes; another organization's endpoint → 404", async () => {
		const org = await createOrg();
		const { endpoint } = await hook(org, ["*"]);
		const stored = () =>
			env.DB.prepare("SELECT secret_ciphertext, previous_secret_ciphertext FROM webhook_endpoints WHERE id = ?")
				.bind(endpoint.id)
				.first();
		const before = await stored();
		for (const [body, path] of [
			[{ gracePeriodSeconds: 86_401 }, "gracePeriodSeconds"],
			[{ gracePeriodSeconds: -1 }, "gracePeriodSeconds"],
			[{ gracePeriodSeconds: 1.5 }, "gracePeriodSeconds"],
			[{ gracePeriodSeconds: "60" }, "gracePeriodSeconds"],
			[{ secret: "whsec_mine" }, "secret"],
		] as const) {
			expectFieldError(await rotate(org, endpoint.id, body), path);
		}
		expect(await stored()).toEqual(before);
		const other = await createOrg();
		expectProblem(await rotate(other, endpoint.id), 404, "Webhook endpoint not found");
		expect(await stored()).toEqual(before);
	});
});
