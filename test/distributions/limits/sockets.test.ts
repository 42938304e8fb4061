/**
 * Live sockets capped (issue 16, item 3): at most 3 open per consumer and 10 per client address
 * (an IPv6 /64) on one distribution, counted by the object from its sockets' tags; the extra
 * connect is a 429 before any upgrade. With the real defaults (test/support/limits.ts).
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_LIVE_SOCKETS } from "../../../src/distributions/limits/budgets";
import { shortDraw } from "../../support/draw";
import { BASE, guests, tenant } from "../../support/helpers";
import { fetcherWith, inSlash64, realEnv } from "../../support/limits";
import { closeLive, connect, ofType } from "../../support/live";
import { drawStub, queueStub } from "../../support/objects";
import { enter, openQueue } from "../../support/queue";
import { waitFor } from "../../support/time";

afterEach(closeLive);

const real = realEnv();
const via = fetcherWith(real);

/** The upgrade as the worker answers it, without taking the socket. */
async function refusedUpgrade(url: string, headers: Record<string, string> = {}) {
	const res = await via(new Request(url, { headers: { Upgrade: "websocket", ...headers } }));
	const text = await res.text();
	return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

const openSockets = (stub: DurableObjectStub, tag?: string) =>
	runInDurableObject(
		stub,
		(_o, state) => state.getWebSockets(tag).filter((ws) => ws.readyState === WebSocket.OPEN).length,
	);

describe("live sockets per consumer", () => {
	it("3 open sockets per consumer on a queue; the 4th is 429 before the upgrade; another consumer connects; a closed one frees its place", async () => {
		expect(DEFAULT_LIVE_SOCKETS).toEqual({ consumer: 3, address: 10 });
		const t = await tenant();
		const q = await openQueue(t);
		const [a, b] = await guests(t, 2);
		await enter(t, q.id, a);
		const url = (s: typeof a) =>
			`${BASE}/consumer/v1/queues/${q.id}/live?key=${t.publishableKey}&token=${s.accessToken}`;
		const tabs = [];
		for (let i = 0; i < 3; i++) {
			const live = await connect(url(a), {}, via);
			await live.next(ofType("status"));
			tabs.push(live);
		}
		const fourth = await refusedUpgrade(url(a));
		expect(fourth.status).toBe(429);
		expect(fourth.json.title).toBe("Too many live connections");
		expect(fourth.json.detail).toContain("per consumer");
		expect(Number(fourth.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
		expect(await openSockets(queueStub(q.id), a.consumerId), "the refused one was never accepted").toBe(3);

		const other = await connect(url(b), {}, via);
		expect(await other.next()).toMatchObject({ type: "progress" });

		tabs[0].close();
		await waitFor(
			"the closed tab to leave the object's sockets",
			() => openSockets(queueStub(q.id), a.consumerId),
			(n) => n === 2,
		);
		const again = await connect(url(a), {}, via);
		expect(await again.next(ofType("status"))).toMatchObject({ consumerId: a.consumerId });
	});
});

describe("live sockets per client address", () => {
	it("10 open sockets per /64 on a draw, whichever addresses in it; the 11th is 429; another /64 connects", async () => {
		const t = await tenant();
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const url = `${BASE}/consumer/v1/draws/${d.id}/live?key=${t.publishableKey}`;
		for (let i = 0; i < DEFAULT_LIVE_SOCKETS.address; i++) {
			const live = await connect(url, { "CF-Connecting-IP": inSlash64(i, "2001:db8:51:52") }, via);
			await live.next(ofType("draw"));
		}
		const over = await refusedUpgrade(url, { "CF-Connecting-IP": inSlash64(99, "2001:db8:51:52") });
		expect(over.status).toBe(429);
		expect(over.json.title).toBe("Too many live connections");
		expect(over.json.detail).toContain("per client address");
		expect(await openSockets(drawStub(d.id))).toBe(DEFAULT_LIVE_SOCKETS.address);

		const elsewhere = await connect(url, { "CF-Connecting-IP": "2001:db8:51:53::1" }, via);
		expect(await elsewhere.next()).toMatchObject({ type: "draw" });
		// Without a client address (a local server sent none) only the consumer's cap applies.
		const unaddressed = await connect(url, {}, via);
		expect(await unaddressed.next()).toMatchObject({ type: "draw" });
	});
});
