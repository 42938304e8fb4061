/**
 * Resilience: forged credentials are never accepted (issue #9).
 *
 * Proves, through the real HTTP routes, that consumer access tokens, admission grants (of
 * a queue admission and of a draw win), draw receipts and queue position tickets are
 * refused — 401 on consumer routes, `valid:false` / 4xx on `/api/v1/admissions/*` — when a
 * character is replaced (any position, any printable character), the token is truncated or
 * extended (fast-check, fixed seed), spelled differently in its last character, re-signed
 * with another Ed25519 key, expired, of the wrong `typ`, aimed at another distribution,
 * already used, or (tickets) of another queue or consumer; and that nothing was changed by
 * the attempts. Secret comparisons go through `crypto.subtle.timingSafeEqual` (spied on the
 * live code paths, helpers checked with fast-check, sources scanned).
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { base64url, sha256Hex, timingSafeEqual, timingSafeEqualBytes } from "../../src/lib/crypto";
import { signToken, type TokenClaims } from "../../src/lib/tokens";
import { constantTimeEqual } from "../../src/sdk/encoding";
import { call } from "../support/helpers";
import { consumerCall, stats, status } from "../support/queue";
import { FC, lastCharVariants, mutate, mutation, type TokenWorld, tokenWorld } from "../support/resilience";

declare global {
	interface ImportMeta {
		/** Vite's glob import, resolved when the test is bundled: here, every source file as text. */
		glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
	}
}

let w: TokenWorld;
let turn = 0;
/** The org's secret keys in turn: each has its own 300/min admin budget, so no answer here is a 429. */
const merchantKey = () => w.keys[turn++ % w.keys.length];
const validate = (token: string) => call("/api/v1/admissions/validate", { key: merchantKey(), body: { token } });
const complete = (token: string) => call("/api/v1/admissions/complete", { key: merchantKey(), body: { token } });
const claimsOf = (jwt: string) =>
	JSON.parse(atob(jwt.split(".")[1].replaceAll("-", "+").replaceAll("_", "/"))) as TokenClaims;
const sign = (claims: Omit<TokenClaims, "iss" | "iat">) => signToken(env.JWT_SIGNING_KEY, claims);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** A token offered as a grant: validate says valid:false (or 400 for an empty one), complete is a 4xx other than 429. */
async function expectGrantRefused(token: string, reason?: string) {
	const v = await validate(token);
	if (token === "") expect(v.status).toBe(400);
	else {
		expect(v.status, v.text).toBe(200);
		expect(v.json.valid, `validate accepted ${token}`).toBe(false);
		if (reason) expect(v.json.reason).toBe(reason);
	}
	const c = await complete(token);
	expect([400, 404, 409], `complete ${token} → ${c.status} ${c.text}`).toContain(c.status);
}

/** A token offered as the consumer's access token on enter (queue) and status (draw): 401. */
async function expectAccessRefused(token: string) {
	const e = await consumerCall(w.t, `/queues/${w.q}/enter`, { method: "POST", token });
	expect(e.status, `enter with ${token}: ${e.text}`).toBe(401);
	const s = await consumerCall(w.t, `/draws/${w.draw}/status`, { token });
	expect(s.status, `draw status with ${token}`).toBe(401);
}

/** A ticket presented alone on status and leave of `queue`: 401 Invalid ticket (or no credential at all). */
async function expectTicketRefused(ticket: string, queue = w.q, token?: string) {
	for (const [method, action] of [
		["GET", "status"],
		["POST", "leave"],
	]) {
		const res = await consumerCall(w.t, `/queues/${queue}/${action}`, { method, ticket, token });
		expect(res.status, `${action} with ticket ${ticket}: ${res.text}`).toBe(401);
	}
}

beforeAll(async () => {
	w = await tokenWorld();
}, 30_000);

describe("altered tokens (fast-check: replaced character, truncation, extension)", () => {
	it("an altered consumer access token → 401, and the consumer never enters", async () => {
		await fc.assert(
			fc.asyncProperty(mutation(w.fresh.accessToken.length), async (m) => {
				const token = mutate(w.fresh.accessToken, m);
				const res = await consumerCall(w.t, `/queues/${w.q}/enter`, { method: "POST", token });
				expect(res.status, `${JSON.stringify(m)}: ${res.text}`).toBe(401);
			}),
			FC,
		);
		expect((await stats(w.t, w.q)).queued).toBe(10);
		expect((await consumerCall(w.t, `/queues/${w.q}/status`, { token: w.fresh.accessToken })).status).toBe(404);
	});

	it("an altered queue or draw grant → valid:false and complete refused; the genuine grants stay live", async () => {
		const grants = [w.holder.grant, w.winners[0].grant];
		const arb = fc.integer({ min: 0, max: 1 }).chain((i) => fc.tuple(fc.constant(i), mutation(grants[i].length)));
		await fc.assert(
			fc.asyncProperty(arb, async ([i, m]) => expectGrantRefused(mutate(grants[i], m))),
			FC,
		);
		for (const g of grants) expect((await validate(g)).json.valid).toBe(true);
		expect((await stats(w.t, w.q)).completed).toBe(1);
	});

	it("an altered position ticket → 401 on status and leave; its holder keeps its place", async () => {
		const ticket = w.waiter.ticket;
		await fc.assert(
			fc.asyncProperty(mutation(ticket.length), async (m) => expectTicketRefused(mutate(ticket, m))),
			FC,
		);
		const st = await status(w.t, w.q, w.waiter);
		expect(st.json).toMatchObject({ status: "QUEUED", position: w.waiter.position });
		expect((await stats(w.t, w.q)).left).toBe(0);
	});

	it("another spelling of the last character (unused low bits included) is refused", async () => {
		const accepted: string[] = [];
		for (const token of lastCharVariants(w.fresh.accessToken)) {
			const res = await consumerCall(w.t, `/queues/${w.q}/status`, { token });
			if (res.status !== 401) accepted.push(`access token ${token.slice(-3)} → ${res.status}`);
		}
		for (const grant of [w.holder.grant, w.winners[0].grant]) {
			for (const token of lastCharVariants(grant)) {
				const v = await validate(token);
				if (v.json?.valid !== false) accepted.push(`grant ${token.slice(-3)} → valid`);
			}
		}
		for (const ticket of [w.waiter.ticket, w.tenth.ticket]) {
			for (const variant of lastCharVariants(ticket)) {
				const res = await consumerCall(w.t, `/queues/${w.q}/status`, { ticket: variant });
				if (res.status !== 401) accepted.push(`ticket ${variant.slice(-3)} → ${res.status}`);
			}
		}
		expect(accepted, "non-canonical base64url spellings that were accepted").toEqual([]);
	});
});

describe("well-formed tokens that must still be refused", () => {
	it("re-signed with another Ed25519 key (same kid, or the key's own kid) → refused", async () => {
		const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
		const foreignJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", pair.privateKey));
		const resign = async (jwt: string) => {
			const [h, b] = jwt.split(".");
			const sig = await crypto.subtle.sign("Ed25519", pair.privateKey, new TextEncoder().encode(`${h}.${b}`));
			return [`${h}.${b}.${base64url(new Uint8Array(sig))}`, await signToken(foreignJwk, claimsOf(jwt))];
		};
		for (const forged of await resign(w.fresh.accessToken)) await expectAccessRefused(forged);
		for (const g of [w.holder.grant, w.winners[0].grant]) {
			for (const forged of await resign(g)) await expectGrantRefused(forged, "invalid");
		}
		expect((await validate(w.holder.grant)).json.valid).toBe(true);
	});

	it("expired: an access token at or past exp → 401; a grant token past exp → expired, even while its session lasts", async () => {
		const now = Math.floor(Date.now() / 1000);
		for (const exp of [now - 3600, now - 1, now]) {
			await expectAccessRefused(await sign({ sub: w.fresh.consumerId, org: w.t.organizationId, typ: "consumer", exp }));
		}
		for (const grant of [w.holder.grant, w.winners[0].grant]) {
			const expired = await sign({ ...claimsOf(grant), exp: now - 1 });
			await expectGrantRefused(expired, "expired");
			expect((await validate(grant)).json.valid, "the genuine grant is untouched").toBe(true);
		}
	});

	it("wrong typ: access token ↔ grant ↔ draw receipt are never interchangeable", async () => {
		await expectGrantRefused(w.fresh.accessToken, "invalid");
		await expectGrantRefused(w.holder.accessToken, "invalid");
		for (const g of [w.holder.grant, w.winners[0].grant, w.winners[0].receipt]) await expectAccessRefused(g);
		await expectGrantRefused(w.winners[0].receipt, "invalid");
		// Signed by this deployment, right claims, wrong kind.
		const grantClaims = claimsOf(w.holder.grant);
		for (const typ of ["consumer", "receipt"] as const) {
			await expectGrantRefused(await sign({ ...grantClaims, typ, exp: inAnHour() }), "invalid");
		}
		const asAccess = { sub: w.fresh.consumerId, org: w.t.organizationId, exp: inAnHour() };
		for (const typ of ["admission", "receipt"] as const) await expectAccessRefused(await sign({ ...asAccess, typ }));
		expect((await validate(w.holder.grant)).json.valid).toBe(true);
	});

	it("a grant naming another distribution → unknown (404 on complete); the real grant is unaffected", async () => {
		const h = claimsOf(w.holder.grant);
		const d = claimsOf(w.winners[0].grant);
		for (const forged of [
			{ ...h, dist: w.q2 },
			{ ...h, dist: w.draw },
			{ ...h, dist: w.foreignQueue },
			{ ...d, dist: w.q },
			{ ...h, sub: w.waiter.consumerId },
		]) {
			const token = await sign(forged);
			expect((await validate(token)).json).toMatchObject({ valid: false, reason: "unknown" });
			const c = await complete(token);
			expect(c.status, c.text).toBe(404);
		}
		for (const g of [w.holder.grant, w.winners[0].grant]) expect((await validate(g)).json.valid).toBe(true);
	});

	it("a completed grant is never accepted again, however often and however re-signed", async () => {
		expect((await validate(w.used.grant)).json).toMatchObject({ valid: false, reason: "used" });
		const again = await Promise.all(Array.from({ length: 20 }, () => complete(w.used.grant)));
		for (const r of again) expect(r.json.title, r.text).toBe("Admission already used");
		await expectGrantRefused(await sign({ ...claimsOf(w.used.grant), exp: inAnHour() }), "used");
		// A draw win claimed by ten concurrent completes: exactly one succeeds.
		const win = w.winners[1].grant;
		const claims = await Promise.all(Array.from({ length: 10 }, () => complete(win)));
		expect(claims.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
		expect((await validate(win)).json).toMatchObject({ valid: false, reason: "used" });
		expect((await stats(w.t, w.q)).completed).toBe(1);
	});

	it("a ticket of another queue, organization or consumer → 401; nobody leaves", async () => {
		await expectTicketRefused(w.waiter.ticketQ2);
		await expectTicketRefused(w.waiter.ticket, w.q2);
		await expectTicketRefused(w.foreignTicket);
		await expectTicketRefused(w.tenth.ticket, w.q, w.waiter.accessToken);
		await expectTicketRefused(w.waiter.ticket, w.q, w.tenth.accessToken);
		expect((await stats(w.t, w.q)).left).toBe(0);
		expect((await stats(w.t, w.q2)).left).toBe(0);
		expect((await status(w.t, w.q, w.tenth)).json).toMatchObject({ status: "QUEUED", position: 8 });
	});
});

describe("secret comparisons are constant-time", () => {
	const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

	it("timingSafeEqual / timingSafeEqualBytes / the SDK's constantTimeEqual: equal ↔ true, any difference → false", () => {
		const spy = vi.spyOn(crypto.subtle, "timingSafeEqual");
		try {
			const text = fc.string({ unit: "grapheme", maxLength: 80 });
			fc.assert(
				fc.property(text, text, (a, b) => {
					spy.mockClear();
					expect(timingSafeEqual(a, a)).toBe(true);
					expect(timingSafeEqual(a, b)).toBe(a === b);
					expect(spy, "every comparison goes through crypto.subtle.timingSafeEqual").toHaveBeenCalledTimes(2);
				}),
				FC,
			);
			const bytes = fc.uint8Array({ maxLength: 64 });
			const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
			fc.assert(
				fc.property(bytes, bytes, fc.nat(), (a, b, i) => {
					expect(timingSafeEqualBytes(a, a.slice())).toBe(true);
					expect(timingSafeEqualBytes(a, b)).toBe(same(a, b));
					expect(constantTimeEqual(a, a.slice())).toBe(true);
					expect(constantTimeEqual(a, b)).toBe(same(a, b));
					if (a.length) {
						const flipped = a.slice();
						flipped[i % a.length] ^= 1 << (i % 8);
						expect(timingSafeEqualBytes(a, flipped)).toBe(false);
						expect(constantTimeEqual(a, flipped)).toBe(false);
						expect(timingSafeEqualBytes(a, a.subarray(1)), "a prefix is not equal").toBe(false);
						expect(constantTimeEqual(a.subarray(1), a)).toBe(false);
					}
				}),
				FC,
			);
		} finally {
			spy.mockRestore();
		}
	});

	it("timingSafeEqual tells apart strings that differ only in lone surrogates", () => {
		fc.assert(
			fc.property(utf16, utf16, fc.integer({ min: 0xd800, max: 0xdfff }), (pre, post, s) => {
				const a = `${pre}${String.fromCharCode(s)}${post}`;
				const b = `${pre}${String.fromCharCode(s ^ 1)}${post}`;
				expect(timingSafeEqual(a, b), JSON.stringify([a, b])).toBe(false);
			}),
			FC,
		);
	});

	it("API key lookup, the platform token, cursors and idempotency replays compare through crypto.subtle.timingSafeEqual", async () => {
		const spy = vi.spyOn(crypto.subtle, "timingSafeEqual");
		// The compared bytes spell the hash, as UTF-8 or as UTF-16 code units (either encoding is fine).
		const spells = (x: unknown, text: string) => {
			const b = x as Uint8Array;
			const utf16 = b.byteLength % 2 ? "" : String.fromCharCode(...new Uint16Array(b.slice().buffer));
			return new TextDecoder().decode(b) === text || utf16 === text;
		};
		try {
			spy.mockClear();
			expect((await call("/api/v1/products", { key: w.keys[1] })).status).toBe(200);
			const keyHash = await sha256Hex(w.keys[1]);
			expect(spy.mock.calls.some(([a, b]) => spells(a, keyHash) && spells(b, keyHash))).toBe(true);

			spy.mockClear();
			expect((await call("/platform/v1/organizations", { key: env.PLATFORM_ADMIN_TOKEN })).status).toBe(200);
			const tokenHash = await sha256Hex(env.PLATFORM_ADMIN_TOKEN);
			expect(spy.mock.calls.some(([a]) => spells(a, tokenHash))).toBe(true);

			const first = await call(`/api/v1/queues/${w.q}/entries?limit=2`, { key: w.keys[2] });
			spy.mockClear();
			const next = await call(`/api/v1/queues/${w.q}/entries?limit=2&cursor=${first.json.nextCursor}`, {
				key: w.keys[2],
			});
			expect(next.status, next.text).toBe(200);
			expect(
				spy.mock.calls.some(([a]) => (a as Uint8Array).byteLength === 16),
				"the 16-byte cursor MAC",
			).toBe(true);

			const opts = { key: w.keys[3], body: { email: "replay@example.com" }, headers: { "X-Idempotency-Key": "ct-1" } };
			expect((await call("/api/v1/consumers", opts)).status).toBe(201);
			spy.mockClear();
			const replay = await call("/api/v1/consumers", opts);
			expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
			// Besides the key lookup, the stored request hash is compared with the replay's.
			const keyHash3 = await sha256Hex(w.keys[3]);
			const others = spy.mock.calls.filter(([a]) => !spells(a, keyHash3));
			expect(others.length, "the request-hash comparison").toBeGreaterThanOrEqual(1);
		} finally {
			spy.mockRestore();
		}
	});

	it("no source file compares a hash, MAC, signature or secret with === / !==", () => {
		const sources = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true });
		// Public data, not secrets: the auction and draw verifiers recompute published hash chains.
		const skip =
			/^\.\.\/\.\.\/src\/(sdk\/|distributions\/auction\/(log|rules|verify)\.ts$|distributions\/draw\/(fairness|verify)\.ts$|lib\/sha256\.ts$)/;
		const secretish = /(?:hash|mac|signature|secret|digest)$/i;
		const comparison = /([\w.?]+)\s*[!=]==\s*([\w.?]+)/g;
		const offending: string[] = [];
		for (const [file, text] of Object.entries(sources)) {
			if (skip.test(file)) continue;
			for (const [n, line] of text.split("\n").entries()) {
				for (const [, left, right] of line.matchAll(comparison)) {
					const last = (s: string) => s.split(/\??\./).at(-1) ?? "";
					if ([left, right].some((s) => secretish.test(last(s)))) offending.push(`${file}:${n + 1}: ${line.trim()}`);
				}
			}
		}
		expect(Object.keys(sources).length).toBeGreaterThan(50);
		expect(offending).toEqual([]);
	});
});
