/**
 * Rotating APP_SECRET with Turnstile launches live (README, "Key rotation"): a Turnstile secret
 * sealed with the old version keeps verifying while it is in the ring, the hourly sweep reseals it
 * with the active one, and after the old version is removed it still verifies.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { resealTurnstileSecrets } from "../../../src/distributions/protection/turnstile/settings";
import { guest, tenant } from "../../support/helpers";
import { bindings, restoreKeys, S1, S2, secretRing } from "../../support/keys";
import { enterWith, setProtection } from "../../support/protection";
import { openQueue } from "../../support/queue";
import { mint, realSecret, setTurnstile } from "../../support/turnstile";

afterEach(restoreKeys);

const stored = async (organizationId: string) =>
	(
		await env.DB.prepare("SELECT secret_ciphertext AS c FROM turnstile_settings WHERE organization_id = ?")
			.bind(organizationId)
			.first<{ c: string }>()
	)?.c;

describe("Turnstile secrets across an APP_SECRET rotation", () => {
	it("verify before, during and after it; the sweep reseals them with the active version", async () => {
		const secret = realSecret();
		const t = await tenant();
		await setTurnstile(t, secret);
		await setProtection(t, { challenge: "turnstile" });
		const q = await openQueue(t);
		expect(await stored(t.organizationId)).toMatch(/^v1\./);

		bindings.APP_SECRET = secretRing([1, "retired", S1], [2, "active", S2]);
		const during = await enterWith(t, "queue", q.id, await guest(t), { "X-Turnstile-Token": await mint(secret) });
		expect(during.status, during.text).toBe(200);
		expect((await resealTurnstileSecrets(env)).resealed).toBeGreaterThanOrEqual(1);
		expect(await stored(t.organizationId)).toMatch(/^v2\./);
		// Nothing left to reseal for this organization.
		await resealTurnstileSecrets(env);
		expect(await stored(t.organizationId)).toMatch(/^v2\./);

		bindings.APP_SECRET = secretRing([2, "active", S2]);
		const after = await enterWith(t, "queue", q.id, await guest(t), { "X-Turnstile-Token": await mint(secret) });
		expect(after.status, after.text).toBe(200);
	});
});
