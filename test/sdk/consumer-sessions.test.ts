/**
 * The consumer SDK's sessions against the real worker: the refresh token kept (and persisted
 * by a storage), the access token renewed on its own after a 401 — once, however many calls
 * are in flight — a refused renewal signing out, and signOut revoking the session server-side.
 * An expired access token is one signed by the test key with a past `exp`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signToken } from "../../src/lib/tokens";
import { FanfareError, type FetchLike } from "../../src/sdk";

import { refreshCall } from "../support/helpers";
import { consumerWith, recording, sdkTenant, workerFetch } from "../support/sdk";
import { iso } from "../support/time";

const expired = (organizationId: string, consumerId: string) =>
	signToken(env.JWT_SIGNING_KEY, {
		sub: consumerId,
		org: organizationId,
		typ: "consumer",
		exp: Math.floor(Date.now() / 1000) - 60,
	});

class Store {
	readonly map = new Map<string, string>();
	getItem = (k: string) => this.map.get(k) ?? null;
	setItem = (k: string, v: string) => void this.map.set(k, v);
	removeItem = (k: string) => void this.map.delete(k);
}

describe("consumer SDK sessions", () => {
	it("renews an expired access token once on a 401, retries, and persists the new pair", async () => {
		const t = await sdkTenant();
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000) });
		const storage = new Store();
		const first = consumerWith(t, { storage });
		const session = await first.auth.guest();
		expect(first.refreshToken).toBe(session.refreshToken);
		expect([...storage.map.values()]).toContain(session.refreshToken);

		// The next page load, hours later: the stored access token has expired.
		const stale = await expired(t.organizationId, session.consumerId);
		const tokenKey = [...storage.map.keys()].find((k) => k.endsWith(":token")) as string;
		storage.setItem(tokenKey, stale);
		const rec = recording();
		const later = consumerWith(t, { storage, fetch: rec.fetch });
		const [a, b] = await Promise.all([
			later.queues.enter(queue.id),
			later.draws.status("draw_01HXYZ123456789ABCDEFGHJK").catch((e) => e),
		]);
		expect(a.consumerId).toBe(session.consumerId);
		expect(b).toMatchObject({ status: 404 });
		expect(rec.requests.filter((r) => r.path === "/consumer/v1/auth/refresh")).toHaveLength(1);
		expect(later.refreshToken).not.toBe(session.refreshToken);
		expect(later.accessToken).not.toBe(stale);
		expect(storage.map.get(tokenKey)).toBe(later.accessToken);
		expect(storage.map.get([...storage.map.keys()].find((k) => k.endsWith(":refresh")) as string)).toBe(
			later.refreshToken,
		);
		// The old refresh token was retired by the rotation.
		expect((await refreshCall(t, { refreshToken: session.refreshToken })).status).toBe(401);
	});

	it("a refused renewal throws the original 401 and forgets the session", async () => {
		const t = await sdkTenant();
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000) });
		const shopper = await t.admin.consumers.create({ email: "renew@example.com" });
		const issued = await t.admin.consumers.createToken(shopper.id);
		expect(issued.refreshToken).toMatch(/^rt_/);
		const c = consumerWith(t);
		c.setSession({ accessToken: await expired(t.organizationId, shopper.id), refreshToken: issued.refreshToken });
		// Revoked elsewhere (signed out on another device).
		expect((await refreshCall(t, { refreshToken: issued.refreshToken }, "revoke")).status).toBe(204);
		const err = await c.queues.enter(queue.id).catch((e) => e);
		expect(err).toBeInstanceOf(FanfareError);
		expect(err).toMatchObject({ status: 401, title: "Authentication required" });
		expect(c.accessToken).toBeNull();
		expect(c.refreshToken).toBeNull();
	});

	it("a refresh whose answer was lost is retried under its key and gets that answer: the session lives on", async () => {
		const t = await sdkTenant();
		let refreshes = 0;
		const losing: FetchLike = async (input, init) => {
			const res = await workerFetch(input, init);
			// The rotation went through on the server, but the connection dropped before its answer arrived.
			if (String(input).endsWith("/auth/refresh") && ++refreshes === 1) throw new TypeError("network connection lost");
			return res;
		};
		const c = consumerWith(t, { fetch: losing });
		await c.auth.guest();
		const rotated = await c.auth.refresh();
		expect(refreshes).toBe(2);
		// Before: the retry presented the retired token again, the family was revoked, and this was a 401.
		expect(c.refreshToken).toBe(rotated.refreshToken);
		const next = await refreshCall(t, { refreshToken: rotated.refreshToken });
		expect(next.status, next.text).toBe(200);
	});

	it("auth.refresh() rotates on demand; signOut revokes the session on the server", async () => {
		const t = await sdkTenant();
		const c = consumerWith(t);
		const first = await c.auth.guest();
		const second = await c.auth.refresh();
		expect(second.consumerId).toBe(first.consumerId);
		expect(c.refreshToken).toBe(second.refreshToken);
		await c.auth.signOut();
		expect(c.accessToken).toBeNull();
		expect(c.refreshToken).toBeNull();
		expect((await refreshCall(t, { refreshToken: second.refreshToken })).json.title).toBe("Refresh token revoked");
		await expect(c.auth.refresh()).rejects.toThrow(TypeError);
	});
});
