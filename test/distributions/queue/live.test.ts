/**
 * The live WebSocket (`GET /consumer/v1/queues/:id/live?key=pk…&token=…`, hibernation API):
 * a `status` message on connect, `progress` {nowServing, queued} as the line moves, the
 * grant pushed as `admitted` the moment it is issued, ping/pong, reconnecting to the same
 * place, and the refusals (426 without an upgrade, 401 for bad credentials, 404 for
 * another organization's queue).
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, call, guest, guests, type Shopper, type Tenant, tenant } from "../../support/helpers";
import { closeLive, connect, ofType } from "../../support/live";
import { admit, enter, openQueue, status } from "../../support/queue";

afterEach(closeLive);

function liveUrl(t: Tenant, queueId: string, params: Record<string, string>) {
	const qs = new URLSearchParams({ key: t.publishableKey, ...params });
	return `${BASE}/consumer/v1/queues/${queueId}/live?${qs}`;
}

async function queued(n: number, body: Record<string, unknown> = {}) {
	const t = await tenant();
	const q = await openQueue(t, body);
	const shoppers = await guests(t, n);
	for (const s of shoppers) expect((await enter(t, q.id, s)).status).toBe(200);
	return { t, q, shoppers };
}

const tokenUrl = (t: Tenant, queueId: string, s: Shopper) => liveUrl(t, queueId, { token: s.accessToken });

describe("live updates", () => {
	it("the first message is the consumer's status", async () => {
		const { t, q, shoppers } = await queued(2);
		const live = await connect(tokenUrl(t, q.id, shoppers[1]));
		const first = await live.next();
		expect(first).toMatchObject({ type: "status", consumerId: shoppers[1].consumerId, status: "QUEUED", position: 2 });
		expect(typeof (first as Record<string, unknown>).ticket).toBe("string");
		expect(live.messages[0]).toEqual(first);
	});

	it("ping → pong; status → the status again; any other frame gets no reply at all", async () => {
		const { t, q, shoppers } = await queued(1);
		const live = await connect(tokenUrl(t, q.id, shoppers[0]));
		await live.next(ofType("status"));
		live.ws.send("ping");
		expect(await live.next((m) => m === "pong")).toBe("pong");
		live.ws.send("status");
		expect(await live.next(ofType("status"))).toMatchObject({ type: "status", position: 1 });
		for (const junk of ["status?", "STATUS", '{"type":"status"}', "x".repeat(2000)]) live.ws.send(junk);
		live.ws.send(new Uint8Array([1, 2, 3]));
		// The pong to a ping sent after the junk arrives after any reply the junk could have had.
		live.ws.send("ping");
		await live.next((m) => m === "pong");
		expect(live.messages, "the first status, pong, status, pong").toHaveLength(4);
	});

	it("admission pushes {type:'admitted', admissionToken} to that consumer and progress to everyone", async () => {
		const { t, q, shoppers } = await queued(3);
		const [a, b] = shoppers;
		const liveA = await connect(tokenUrl(t, q.id, a));
		const liveB = await connect(tokenUrl(t, q.id, b));
		await liveA.next(ofType("status"));
		await liveB.next(ofType("status"));

		expect((await admit(t, q.id, 1)).json).toEqual({ admitted: 1 });
		const pushed = (await liveA.next(ofType("admitted"))) as Record<string, unknown>;
		expect(pushed).toMatchObject({ type: "admitted", consumerId: a.consumerId, status: "ADMITTED", position: null });
		expect(pushed.admissionToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		expect(pushed.admissionExpiresAt).toMatch(/Z$/);
		// The pushed grant is the one status returns, and it validates.
		expect((await status(t, q.id, a)).json.admissionToken).toBe(pushed.admissionToken);
		const v = await call("/api/v1/admissions/validate", {
			key: t.secretKey,
			body: { token: pushed.admissionToken },
		});
		expect(v.json).toMatchObject({ valid: true, consumerId: a.consumerId });

		const progress = await liveB.next(ofType("progress"));
		expect(progress).toMatchObject({ type: "progress", nowServing: 1, queued: 2 });
		await liveA.next(ofType("progress"));
		// B is not told it was admitted.
		expect(liveB.messages.some(ofType("admitted"))).toBe(false);
		// B's status over the socket reflects the move.
		liveB.ws.send("status");
		expect(await liveB.next(ofType("status"))).toMatchObject({ position: 1 });
	});

	it("the alarm's admissions are pushed without any request", async () => {
		const t = await tenant();
		const q = await openQueue(t, { admissionRate: 120, maxCapacity: 1 });
		const [a, b] = await guests(t, 2);
		// b connects before entering: it gets progress, not a status.
		const liveB = await connect(tokenUrl(t, q.id, b));
		expect(await liveB.next()).toMatchObject({ type: "progress", queued: 0 });
		await enter(t, q.id, a);
		await enter(t, q.id, b);
		const liveA = await connect(tokenUrl(t, q.id, a));
		const first = (await liveA.next()) as Record<string, unknown>;
		expect(["status"]).toContain(first.type);
		if (first.status !== "ADMITTED") {
			const pushed = await liveA.next(ofType("admitted"), 5000);
			expect(pushed).toMatchObject({ type: "admitted", consumerId: a.consumerId });
		}
		await liveB.next((m) => ofType("progress")(m) && (m as Record<string, unknown>).nowServing === 1, 5000);
	});

	it("reconnecting resumes the same place; every open socket of the consumer gets the grant", async () => {
		const { t, q, shoppers } = await queued(3);
		const c = shoppers[2];
		const first = await connect(tokenUrl(t, q.id, c));
		const s1 = (await first.next(ofType("status"))) as Record<string, unknown>;
		first.close();
		const second = await connect(tokenUrl(t, q.id, c));
		const s2 = (await second.next(ofType("status"))) as Record<string, unknown>;
		expect(s2).toMatchObject({ consumerId: c.consumerId, status: "QUEUED", position: 3 });
		expect(s2.position).toBe(s1.position);
		const third = await connect(tokenUrl(t, q.id, c));
		expect(await third.next(ofType("status"))).toMatchObject({ position: 3 });
		// Entering again over HTTP does not move it either.
		expect((await enter(t, q.id, c)).json.position).toBe(3);

		expect((await admit(t, q.id, 3)).json).toEqual({ admitted: 3 });
		const p2 = await second.next(ofType("admitted"));
		const p3 = await third.next(ofType("admitted"));
		expect(p2).toMatchObject({ consumerId: c.consumerId });
		expect((p3 as Record<string, unknown>).admissionToken).toBe((p2 as Record<string, unknown>).admissionToken);
	});

	it("connecting with the position ticket instead of the token", async () => {
		const { t, q, shoppers } = await queued(2);
		const ticket = (await status(t, q.id, shoppers[1])).json.ticket;
		const live = await connect(liveUrl(t, q.id, { ticket }));
		expect(await live.next()).toMatchObject({ type: "status", consumerId: shoppers[1].consumerId, position: 2 });
		expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
		expect(await live.next(ofType("admitted"))).toMatchObject({ consumerId: shoppers[1].consumerId });
	});
});

describe("refusals", () => {
	const plain = (url: string, headers: Record<string, string> = {}) =>
		exports.default.fetch(new Request(url, { headers }));

	it("without an Upgrade header → 426", async () => {
		const { t, q, shoppers } = await queued(1);
		const res = await plain(tokenUrl(t, q.id, shoppers[0]));
		expect(res.status).toBe(426);
		expect(res.webSocket).toBeFalsy();
		expect(res.headers.get("Content-Type")).toContain("application/problem+json");
	});

	it("a bad token, a missing token, a bad pk → 401 without upgrading", async () => {
		const { t, q, shoppers } = await queued(1);
		const cases = [
			liveUrl(t, q.id, { token: "garbage" }),
			liveUrl(t, q.id, { token: `${shoppers[0].accessToken.slice(0, -3)}AAA` }),
			liveUrl(t, q.id, {}),
			`${BASE}/consumer/v1/queues/${q.id}/live?token=${shoppers[0].accessToken}`,
			`${BASE}/consumer/v1/queues/${q.id}/live?key=pk_live_${"x".repeat(32)}&token=${shoppers[0].accessToken}`,
		];
		for (const url of cases) {
			const res = await plain(url, { Upgrade: "websocket" });
			expect(res.status, url.slice(-60)).toBe(401);
			expect(res.webSocket).toBeFalsy();
		}
	});

	it("a bad ticket → 401; another organization's queue → 404", async () => {
		const { t, q } = await queued(1);
		const bad = await plain(liveUrl(t, q.id, { ticket: "not-a-ticket" }), { Upgrade: "websocket" });
		expect(bad.status).toBe(401);
		expect(bad.webSocket).toBeFalsy();
		const other = await tenant();
		const s = await guest(other);
		const foreign = await plain(tokenUrl(other, q.id, s), { Upgrade: "websocket" });
		expect(foreign.status).toBe(404);
		expect(foreign.webSocket).toBeFalsy();
	});
});
