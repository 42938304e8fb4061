/**
 * Public auction state and the draw proof from a per-isolate snapshot (issue 16, item 3): within
 * the snapshot's life a GET is answered without the object — the same body even after the object
 * changed — and a change made through this isolate (a bid) is seen at once. The sequence policy
 * the access and protection gates judge by is snapshotted the same way. The suite serves no
 * snapshots (PUBLIC_SNAPSHOT_MS 0); here the worker runs with one long enough that no test depends
 * on timing, and the helper's expiry is tested with its clock injected.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Snapshots } from "../../../src/lib/snapshot";
import { openAuction, publicState } from "../../support/auction";
import { proofOf, shortDraw } from "../../support/draw";
import { BASE, guests, tenant } from "../../support/helpers";
import { consumerVia, fetcherWith, realEnv } from "../../support/limits";
import { auctionStub, drawStub } from "../../support/objects";
import { expectProblem } from "../../support/problems";
import { openQueue } from "../../support/queue";

const snapshotted = realEnv({ PUBLIC_SNAPSHOT_MS: "60000" });

describe("Snapshots (the helper)", () => {
	it("one load per key per TTL, shared by concurrent reads; reloaded after it; forget drops it; a failed load is not kept", async () => {
		let now = 1000;
		const s = new Snapshots<number>({ now: () => now });
		let loads = 0;
		const load = async () => ++loads;
		expect(await Promise.all([s.get("k", 1000, load), s.get("k", 1000, load)])).toEqual([1, 1]);
		now = 1999;
		expect(await s.get("k", 1000, load), "999 ms old").toBe(1);
		now = 2000;
		expect(await s.get("k", 1000, load), "1 s old: loaded again").toBe(2);
		expect(await s.get("other", 1000, load), "keys are apart").toBe(3);
		s.forget("k");
		expect(await s.get("k", 1000, load)).toBe(4);
		expect(await s.get("k", 0, load), "TTL 0 always loads").toBe(5);
		await expect(s.get("bad", 1000, () => Promise.reject(new Error("down")))).rejects.toThrow("down");
		expect(await s.get("bad", 1000, load), "the failure was not kept").toBe(6);
	});

	it("past maxKeys the map starts over", async () => {
		const s = new Snapshots<string>({ maxKeys: 2, now: () => 0 });
		await s.get("a", 1000, async () => "a1");
		await s.get("b", 1000, async () => "b1");
		await s.get("c", 1000, async () => "c1");
		expect(await s.get("a", 1000, async () => "a2")).toBe("a2");
	});
});

describe("through the worker", () => {
	it("an auction's public state: a change behind the worker's back is not seen; a bid through it is", async () => {
		const t = await tenant();
		const [a, b] = await guests(t, 2);
		const auction = await openAuction(t);
		const get = () => consumerVia(snapshotted, t, `/auctions/${auction.id}`);
		const first = await get();
		expect(first.json.bidCount).toBe(0);
		// The object takes a bid directly (no worker, so no isolate drops its snapshot).
		await auctionStub(auction.id).bid(t.organizationId, a.consumerId, 1000, null, null);
		const second = await get();
		expect(second.text, "served from the snapshot").toBe(first.text);
		expect((await publicState(t, auction.id)).json.bidCount, "the object has the bid").toBe(1);

		const bid = await consumerVia(snapshotted, t, `/auctions/${auction.id}/bids`, {
			token: b.accessToken,
			body: { amount: 20 },
		});
		expect(bid.status, bid.text).toBe(200);
		expect((await get()).json.bidCount, "a bid through this isolate drops the snapshot").toBe(2);
	});

	it("a draw's proof: an entry behind the worker's back is not in the snapshot's log head; the object's proof has it", async () => {
		const t = await tenant();
		const [a] = await guests(t, 1);
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const get = () => consumerVia(snapshotted, t, `/draws/${d.id}/proof`);
		const first = await get();
		expect(first.status, first.text).toBe(200);
		await drawStub(d.id).enter(t.organizationId, a.consumerId);
		expect((await get()).text).toBe(first.text);
		const fresh = await proofOf(t, d.id);
		expect(fresh.log.size).toBeGreaterThan(first.json.log.size);
	});

	it("a sequence's access rules: a change behind the worker's back waits for the snapshot; one through it applies at once", async () => {
		const t = await tenant();
		const [a, b, c] = await guests(t, 3);
		const queue = await openQueue(t);
		const enterAs = (s: { accessToken: string }) =>
			consumerVia(snapshotted, t, `/queues/${queue.id}/enter`, { method: "POST", token: s.accessToken, body: {} });
		expect((await enterAs(a)).status).toBe(200);
		// D1 changes without the worker: this isolate still judges by the rules it read.
		await env.DB.prepare("UPDATE sequences SET access = 'codes' WHERE id = ?").bind(t.sequenceId).run();
		expect((await enterAs(b)).status, "the policy snapshot").toBe(200);
		// The merchant's update through this isolate drops every policy snapshot.
		await env.DB.prepare("UPDATE sequences SET access = 'open' WHERE id = ?").bind(t.sequenceId).run();
		const put = await fetcherWith(snapshotted)(
			new Request(`${BASE}/api/v1/sequences/${t.sequenceId}`, {
				method: "PUT",
				headers: { Authorization: `Bearer ${t.secretKey}`, "Content-Type": "application/json" },
				body: JSON.stringify({ access: "codes" }),
			}),
		);
		expect(put.status, await put.text()).toBe(200);
		expectProblem(await enterAs(c), 403, "Access code required");
	});

	it("the suite's own env serves no snapshot (PUBLIC_SNAPSHOT_MS 0)", () => {
		expect((env as unknown as Record<string, string>).PUBLIC_SNAPSHOT_MS).toBe("0");
	});
});
