/**
 * The token signing keyring (JWT_SIGNING_KEY, src/lib/signing-keys.ts) and the APP_SECRET ring
 * (src/lib/secrets.ts): what the JWKS lists per key state, tokens naming an unknown kid, malformed
 * rings, and a stored secret that no longer opens. The rotation itself: test/resilience/key-rotation.test.ts.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { base64url } from "../../src/lib/crypto";
import { secretRing as parseSecrets, SecretConfigError } from "../../src/lib/secrets";
import { SigningKeyConfigError, signingRing } from "../../src/lib/signing-keys";
import { signToken } from "../../src/lib/tokens";
import { call, guest, tenant } from "../support/helpers";
import { bindings, jwksNow, K1, keyring, newKey, ORIGINAL, restoreKeys, S1, S2, secretRing } from "../support/keys";
import { expectProblem } from "../support/problems";
import { enter, openQueue, status } from "../support/queue";
import { waitFor } from "../support/time";
import { hook } from "../support/webhooks";

afterEach(() => {
	restoreKeys();
	vi.restoreAllMocks();
});

describe("the keyring", () => {
	const claims = (t: { organizationId: string }, sub: string) => ({
		sub,
		org: t.organizationId,
		typ: "consumer" as const,
		exp: Math.floor(Date.now() / 1000) + 600,
	});

	it("JWKS: next, active and retired keys are published (active first), each with its kid; private parts never", async () => {
		const [next, retired] = [await newKey(), await newKey()];
		bindings.JWT_SIGNING_KEY = JSON.stringify({
			keys: [
				{ ...retired, kid: "2025-retired", state: "retired", d: undefined },
				{ ...K1, state: "active" },
				{ ...next, kid: "2027-next", state: "next" },
			],
		});
		const res = await call("/.well-known/jwks.json");
		expect(res.status).toBe(200);
		expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
		const keys = res.json.keys as Record<string, string>[];
		expect(keys.map((k) => [k.kid, k.x])).toEqual([
			[expect.any(String), K1.x],
			["2027-next", next.x],
			["2025-retired", retired.x],
		]);
		for (const k of keys)
			expect(k).toEqual({ kty: "OKP", crv: "Ed25519", x: k.x, kid: k.kid, alg: "EdDSA", use: "sig" });
	});

	it("a token naming a kid the ring does not hold, or none, or another key's kid → 401", async () => {
		const t = await tenant();
		const shopper = await guest(t);
		const q = await openQueue(t);
		const stranger = await newKey();
		const [kid1] = (await jwksNow()).keys.map((k) => k.kid);
		const forged = [
			// A key this deployment never had, under its own kid and under the real key's kid.
			await signToken(keyring([stranger, "active"]), claims(t, shopper.consumerId)),
			await signToken(
				JSON.stringify({ keys: [{ ...stranger, kid: kid1, state: "active" }] }),
				claims(t, shopper.consumerId),
			),
		];
		// A genuine signature with the kid taken out of the header.
		const genuine = await signToken(ORIGINAL.JWT_SIGNING_KEY, claims(t, shopper.consumerId));
		const [h, b, sig] = genuine.split(".");
		const header = JSON.parse(atob(h.replaceAll("-", "+").replaceAll("_", "/")));
		delete header.kid;
		forged.push(`${base64url(new TextEncoder().encode(JSON.stringify(header)))}.${b}.${sig}`);
		for (const token of forged) {
			expectProblem(await status(t, q.id, { ...shopper, accessToken: token }), 401, "Authentication required");
		}
		expect((await enter(t, q.id, { ...shopper, accessToken: genuine })).status).toBe(200);
	});

	it("a malformed ring is refused with a message naming the rule, never a key or secret", async () => {
		const K2 = await newKey();
		const badRings = [
			keyring([K1, "active"], [K2, "active"]),
			keyring([K1, "retired"]),
			JSON.stringify({ keys: [{ ...K1, state: "current" }] }),
			JSON.stringify({ keys: [{ ...K1, state: "active", d: undefined }] }),
			JSON.stringify({
				keys: [
					{ ...K1, state: "active", kid: "a" },
					{ ...K2, state: "next", kid: "a" },
				],
			}),
			JSON.stringify({ keys: [] }),
			"not json",
		];
		for (const config of badRings) {
			const error = await signingRing(config).then(
				() => null,
				(e: Error) => e,
			);
			expect(error, config.slice(0, 40)).toBeInstanceOf(SigningKeyConfigError);
			expect(error?.message).not.toContain(K1.d);
		}
		const badSecrets = [
			secretRing([1, "active", S1], [2, "active", S2]),
			secretRing([1, "retired", S1]),
			secretRing([1, "active", S1], [1, "retired", S2]),
			secretRing([0, "active", S1]),
			secretRing([1, "active", "short"]),
			"{not json",
			"",
		];
		for (const config of badSecrets) {
			let error: unknown = null;
			try {
				parseSecrets(config);
			} catch (e) {
				error = e;
			}
			expect(error, config.slice(0, 40)).toBeInstanceOf(SecretConfigError);
			expect(String(error)).not.toContain(S1);
		}
	});

	it("an undecryptable webhook secret fails its delivery with a recorded reason (logged), not a crash", async () => {
		const warn = vi.spyOn(console, "warn");
		const t = await tenant();
		const { endpoint } = await hook(t, ["webhook.test"]);
		await env.DB.prepare("UPDATE webhook_endpoints SET secret_ciphertext = ? WHERE id = ?")
			.bind(`v9.${"A".repeat(60)}`, endpoint.id)
			.run();
		const sent = await call(`/api/v1/webhook-endpoints/${endpoint.id}/test`, { key: t.secretKey, method: "POST" });
		expect(sent.status).toBe(202);
		const attempt = await waitFor(
			"a failed attempt",
			async () =>
				(await call(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { key: t.secretKey })).json.data[0],
			// The list reads the delivery row, then its attempts: an attempt committed between the two
			// reads shows next to the row's earlier "pending". Wait for the row itself to move on.
			(d) => d?.attempts?.length >= 1 && d.status !== "pending",
			10_000,
			100,
		);
		expect(attempt.status).toBe("failed");
		expect(attempt.attempts[0].error).toContain("signing secret unreadable");
		const logged = warn.mock.calls.map((a) => String(a[0])).filter((l) => l.includes("decryption failed"));
		expect(logged.map((l) => JSON.parse(l))).toContainEqual(
			expect.objectContaining({ purpose: "webhook-endpoint-secret", secretVersion: 9, reason: "unknown_version" }),
		);
	});

	it("forged values naming unknown versions: each a 400, the log capped at 20 lines a minute plus one saying so", async () => {
		const warn = vi.spyOn(console, "warn");
		const t = await tenant();
		const mac = base64url(new Uint8Array(16));
		for (let v = 100; v < 130; v++) {
			const res = await call(`/api/v1/consumers?cursor=v${v}.cHJvZF8x.${mac}`, { key: t.secretKey });
			expectProblem(res, 400, "Validation failed");
		}
		const lines = warn.mock.calls
			.map((a) => JSON.parse(String(a[0])))
			.filter((l) => l.purpose === "pagination-cursor" && l.reason === "unknown_version");
		expect(lines).toHaveLength(21);
		expect(lines.map((l) => l.secretVersion).slice(0, 3)).toEqual([100, 101, 102]);
		expect(lines[20].suppressed).toContain("not logged");
	});
});
