/**
 * Resilience: evictions, aborts and alarms (issue #9).
 *
 * Proves that (1) aborting the queue, draw and auction objects in the middle of a
 * 600-request burst (each right after committing a request it never answers), then evicting
 * them while the clients' retries are in flight, loses no acknowledged enter, entry or bid and
 * duplicates none, and that the retries converge on one place / entry / bid per consumer;
 * (2) an alarm run whose delivery fails once — before the D1 write-through (retried by the object)
 * or after the event was sent (run again) — records its transition exactly once,
 * with the D1 row updated and exactly one event stored; (3) queue admission ticks run by
 * several alarms at once admit only what is due; (4) with the alarm held back, the admin
 * GET, the `?status=` filter and the consumer routes already show the new status.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { DistributionObject } from "../../src/distributions/kernel/object";
import { allBids, bid, openAuction, publicState, statusOf } from "../support/auction";
import { expectAdminStatus, storedStatus } from "../support/distributions";
import { allEntries, consumerDraw, enterAll, proofOf, resultsOf, shortDraw, waitDrawn } from "../support/draw";
import { settle, settledEvents, storedEvents } from "../support/events";
import { FAULT } from "../support/faults";
import { guests, type Shopper, tenant } from "../support/helpers";
import { auctionStub, drawStub, holdAlarm, queueStub, rowsIn, setAlarm, transitionsOf } from "../support/objects";
import { createQueue, enter, openQueue, queueEntries, stats, status } from "../support/queue";
import { isServerError, type Reply, retry } from "../support/resilience";
import { iso, sleepUntil, waitFor } from "../support/time";

/** Each transition the object recorded, and whether it was delivered (written through and published). */
const deliveryOf = async (stub: DurableObjectStub) =>
	(await transitionsOf(stub)).map(({ status, delivered }) => ({ status, delivered }));

describe("faults in the middle of a burst", () => {
	it("aborting then evicting every object mid-burst loses no acknowledged request, duplicates none; retries converge", {
		timeout: 60_000,
	}, async () => {
		const N = 200;
		const t = await tenant();
		const shoppers = await guests(t, N);
		const q = await openQueue(t, { maxCapacity: 10_000 });
		const d = await shortDraw(t, {}, 600_000, 601_000);
		const a = await openAuction(t, { startingBid: 1, minimumIncrement: 1 }, 600_000);
		// Fresh stubs each time: a stub whose object was aborted stays broken.
		const stubs = () => [queueStub(q.id), drawStub(d.id), auctionStub(a.id)];
		const sends = [
			(s: Shopper) => enter(t, q.id, s),
			(s: Shopper) => consumerDraw(t, d.id, "enter", s),
			(s: Shopper, i: number) => bid(t, a.id, s, 1 + i, undefined, { "X-Idempotency-Key": `bid-${i}` }),
		];
		// Fault 1: each object aborts itself right after committing the group that holds its 60th
		// request, before answering it — every request then in flight on that instance fails (fault
		// injection on `arm`, which runs once per committed group of enters or bids).
		for (const stub of stubs()) {
			await runInDurableObject(stub, (instance: DistributionObject, state) => {
				const engine = instance as unknown as {
					arm(): Promise<void>;
					grouped<T>(change: (now: number) => T): Promise<T>;
				};
				const arm = engine.arm.bind(instance);
				const grouped = engine.grouped.bind(instance);
				let calls = 0;
				engine.grouped = (change) => {
					calls++;
					return grouped(change);
				};
				engine.arm = async () => {
					if (calls >= 60) state.abort(`${FAULT} abort after commit`);
					return arm();
				};
			});
		}
		const quiet = vi.spyOn(console, "error").mockImplementation(() => {}); // the worker logs each 500
		let first: Reply[][] = [];
		let final: Reply[][] = [];
		try {
			first = await Promise.all(sends.map((send) => Promise.all(shoppers.map((s, i) => send(s, i)))));
			const failed = first.flat().filter(isServerError).length;
			expect(failed, "the aborts broke requests in flight").toBeGreaterThan(30);
			// Clients retry what failed, all at once; fault 2: when a third of the retries are answered, evict every object.
			let answered = 0;
			const fault: { evicting?: Promise<PromiseSettledResult<void>[]> } = {};
			const onAnswer = () => {
				if (++answered >= failed / 3 && !fault.evicting) {
					fault.evicting = Promise.allSettled(stubs().map((s) => evictDurableObject(s)));
				}
			};
			final = await Promise.all(
				sends.map((send, k) =>
					Promise.all(
						first[k].map((r, i) => (isServerError(r) ? retry(() => send(shoppers[i], i)).finally(onAnswer) : r)),
					),
				),
			);
			const evicted = (await fault.evicting) ?? [];
			expect(
				evicted.some((e) => e.status === "fulfilled"),
				"evicted while retries were in flight",
			).toBe(true);
		} finally {
			quiet.mockRestore();
		}
		for (const r of first.flat()) expect([200, 409, 500], `${r.status} ${r.text}`).toContain(r.status);
		for (const r of [...final[0], ...final[1]]) expect(r.status, r.text).toBe(200);
		for (const r of final[2]) expect([200, 409], r.text).toContain(r.status);
		for (const r of final[2].filter((x) => x.status === 409)) expect(r.json.title).toBe("Bid too low");
		const [qFinal, dFinal, aFinal] = final;

		// Queue: one entry per consumer, positions 1..N; an acknowledged place never moves.
		const qRows = await queueEntries(t, q.id);
		expect(qRows).toHaveLength(N);
		expect(new Set(qRows.map((e) => e.consumerId)).size).toBe(N);
		expect(qRows.map((e) => e.position).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(
			Array.from({ length: N }, (_, i) => i + 1),
		);
		const placeOf = new Map(qRows.map((e) => [e.consumerId, e.position]));
		const qAgain = await Promise.all(shoppers.map((s, i) => sends[0](s, i)));
		for (const [i, r] of qFinal.entries()) {
			expect(r.json.position).toBe(placeOf.get(shoppers[i].consumerId));
			expect(qAgain[i].json.position).toBe(r.json.position);
		}
		expect((await stats(t, q.id)).queued).toBe(N);

		// Draw: one entry per consumer, with the entry id its receipt named, again on re-entry.
		const dRows = await allEntries(t, d.id);
		expect(dRows).toHaveLength(N);
		expect(new Set(dRows.map((e) => e.consumerId)).size).toBe(N);
		const entryOf = new Map(dRows.map((e) => [e.consumerId, e.entryId]));
		const dAgain = await Promise.all(shoppers.map((s, i) => sends[1](s, i)));
		for (const [i, r] of dFinal.entries()) {
			expect(r.json.receipt.entryId).toBe(entryOf.get(shoppers[i].consumerId));
			expect(dAgain[i].json.receipt.entryId).toBe(r.json.receipt.entryId);
		}

		// Auction: each acknowledged bid is listed exactly once; replaying its key adds nothing.
		const rows = (await allBids(t, a.id)).filter((r) => r.kind === "bid");
		for (const [i, s] of shoppers.entries()) {
			const listed = rows.filter((r) => r.consumerId === s.consumerId);
			expect(
				listed.map((r) => r.amount),
				`bids of shopper ${i}`,
			).toEqual(aFinal[i].status === 200 ? [1 + i] : []);
		}
		const replays = await Promise.all(shoppers.map((s, i) => (aFinal[i].status === 200 ? sends[2](s, i) : null)));
		for (const r of replays) if (r) expect(r.headers.get("Idempotent-Replayed"), r.text).toBe("true");
		expect((await allBids(t, a.id)).filter((r) => r.kind === "bid")).toHaveLength(rows.length);
		expect((await publicState(t, a.id)).json.bidCount).toBe(rows.length);
	});
});

describe("an alarm whose delivery fails once", () => {
	it("fails before the D1 write-through: the object retries it; OPEN is recorded, written and published once", async () => {
		const t = await tenant();
		const openAt = Date.now() + 2000;
		const q = await createQueue(t, { openAt: iso(openAt), closeAt: iso(openAt + 600_000) });
		// The fault lives in the object's instance, which the runtime may still replace after the burst
		// above; so the open alarm is held back and re-armed right after the fault is in place, and the
		// run that fails is the one the runtime then starts by itself.
		await holdAlarm(queueStub(q.id), openAt);
		await sleepUntil(openAt + 50);
		let failures = 0;
		let down = true;
		await runInDurableObject(queueStub(q.id), (instance: DistributionObject, state) => {
			const engine = instance as unknown as { deliver(): Promise<void> };
			const deliver = engine.deliver.bind(instance);
			engine.deliver = async () => {
				const pending = rowsIn(state, "SELECT 1 FROM transitions WHERE delivered = 0").length;
				if (pending && down) {
					failures++;
					throw new Error(`${FAULT} D1 write-through failed`);
				}
				return deliver();
			};
		});
		await setAlarm(queueStub(q.id), Date.now());
		await waitFor(
			"the failed alarm run",
			async () => failures,
			(n) => n >= 1,
			5000,
		);
		// Between the failure and the retry: recorded, not yet written through — and already shown as OPEN.
		expect(await deliveryOf(queueStub(q.id))).toEqual([{ status: "OPEN", delivered: 0 }]);
		expect(await storedStatus(q.id)).toBe("SCHEDULED");
		await expectAdminStatus(t, "queue", q.id, "OPEN");
		down = false;
		await waitFor(
			"the retried write-through",
			() => storedStatus(q.id),
			(st) => st === "OPEN",
			8000,
		);
		expect(await deliveryOf(queueStub(q.id))).toEqual([{ status: "OPEN", delivered: 1 }]);
		expect(await settledEvents(q.id, "queue.opened")).toHaveLength(1);
	});

	it("fails after the event was sent: run again, DRAWN happens once and its event is stored once", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 3);
		const d = await shortDraw(t, { winnerCount: 1 }, 1500, 2500);
		await enterAll(t, d.id, shoppers);
		// The first send carrying draw.drawn is accepted by the queue, then its ack is lost (the alarm throws).
		let lost = 0;
		await runInDurableObject(drawStub(d.id), (instance: DistributionObject) => {
			const holder = instance as unknown as { env: Env };
			const real = holder.env.EVENTS;
			const ackLost = async <T>(p: Promise<T>, args: unknown[]) => {
				await p;
				if (JSON.stringify(args).includes('"draw.drawn"') && ++lost === 1) {
					throw new Error(`${FAULT} queue accepted the event, the ack was lost`);
				}
			};
			const flaky = {
				send: (...args: Parameters<Queue["send"]>) => ackLost(real.send(...args), args),
				sendBatch: (...args: Parameters<Queue["sendBatch"]>) => ackLost(real.sendBatch(...args), args),
			};
			holder.env = new Proxy(holder.env, { get: (env, k) => (k === "EVENTS" ? flaky : Reflect.get(env, k)) });
		});
		// The draw happens once R is out; the failed delivery is retried by the next alarm run.
		await waitDrawn(t, d.id, 9000);
		await waitFor(
			"DRAWN delivered",
			() => deliveryOf(drawStub(d.id)),
			(rows) => rows.some((r) => r.status === "DRAWN" && r.delivered === 1),
			8000,
			100,
		);
		expect(lost, "the fault fired").toBeGreaterThanOrEqual(1);
		const results = await resultsOf(t, d.id);
		expect(results.winners).toHaveLength(1);
		expect((await deliveryOf(drawStub(d.id))).filter((r) => r.status === "DRAWN")).toEqual([
			{ status: "DRAWN", delivered: 1 },
		]);
		expect(await storedStatus(d.id)).toBe("DRAWN");
		expect(await settledEvents(d.id, "draw.drawn")).toHaveLength(1);
		expect(await storedEvents(d.id, "draw.consumer.won")).toHaveLength(1);
	});
});

describe("delivery that keeps failing", () => {
	it("never stops the alarm: admission ticks go on, delivery is retried with backoff and catches up", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 30);
		// Ten admissions a second: about 3 s of ticks, every 250 ms (MIN_TICK_MS).
		const q = await openQueue(t, { admissionRate: 600, closeAt: iso(Date.now() + 600_000) });
		for (const s of shoppers) expect((await enter(t, q.id, s)).status).toBe(200);
		const stub = queueStub(q.id);
		let failures = 0;
		let down = true;
		const run = await runInDurableObject(stub, async (instance: DistributionObject, state) => {
			const engine = instance as unknown as { deliver(): Promise<void> };
			const deliver = engine.deliver.bind(instance);
			engine.deliver = async () => {
				if (down) {
					failures++;
					throw new Error(`${FAULT} D1 and the events Queue are down`);
				}
				return deliver();
			};
			// Thrown, the run would be retried a few times by the runtime and then given up with every tick.
			const outcome = await instance.alarm().then(
				() => "resolved",
				(err: Error) => err.message,
			);
			const flush = rowsIn<{ at: number }>(state, "SELECT at FROM schedule WHERE kind = 'flush'")[0]?.at;
			return { outcome, alarm: await state.storage.getAlarm(), flushIn: (flush ?? 0) - Date.now() };
		});
		expect(run.outcome).toBe("resolved");
		expect(run.alarm, "the alarm is still set").not.toBeNull();
		expect(run.flushIn, "delivery is retried about a second later").toBeGreaterThan(500);

		// With delivery still failing, the ticks admit everyone, one slot at a time.
		await waitFor(
			"every shopper admitted while delivery fails",
			() => stats(t, q.id),
			(st) => st.admitted === shoppers.length,
			8000,
			100,
		);
		// Retried with backoff (after 1 s, then 2 s…), not on each of the ticks that ran meanwhile.
		expect(failures, "delivery was retried").toBeGreaterThanOrEqual(1);
		expect(failures, "backed off").toBeLessThanOrEqual(3);
		expect(await storedEvents(q.id, "queue.consumer.admitted")).toHaveLength(0);

		// Back: the next try delivers everything, each event once.
		down = false;
		await waitFor(
			"the events delivered once it is back",
			() => storedEvents(q.id, "queue.consumer.admitted"),
			(events) => events.length === shoppers.length,
			12_000,
			200,
		);
		await settle();
		expect(await storedEvents(q.id, "queue.consumer.admitted")).toHaveLength(shoppers.length);
	});
});

describe("alarms firing more than once", () => {
	it("an admission tick run by several alarms at once admits only the slot that is due", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 5);
		const openAt = Date.now() + 3000;
		// One admission a minute: any number of alarm runs in the next minute may admit exactly one.
		const q = await createQueue(t, {
			openAt: iso(openAt),
			closeAt: iso(openAt + 600_000),
			prequeueSeconds: 600,
			admissionRate: 1,
		});
		for (const s of shoppers) expect((await enter(t, q.id, s)).status).toBe(200);
		await holdAlarm(queueStub(q.id), openAt);
		await sleepUntil(openAt + 50);
		const runMany = () =>
			runInDurableObject(queueStub(q.id), async (instance: DistributionObject) => {
				await Promise.all([instance.alarm(), instance.alarm(), instance.alarm()]);
				await instance.alarm();
			});
		await runMany();
		await runDurableObjectAlarm(queueStub(q.id));
		const first = await stats(t, q.id);
		expect(first).toMatchObject({ admitted: 1, active: 1, queued: 4 });
		await runMany();
		await runDurableObjectAlarm(queueStub(q.id));
		expect(await stats(t, q.id)).toEqual(first);
		const states = await Promise.all(shoppers.map((s) => status(t, q.id, s)));
		expect(states.filter((r) => r.json.status === "ADMITTED")).toHaveLength(1);
		const places = states.map((r) => r.json.position).filter((p) => p != null);
		expect(places.sort()).toEqual([1, 2, 3, 4]);
		expect((await deliveryOf(queueStub(q.id))).map((r) => r.status)).toEqual(["OPEN"]);
		expect(await settledEvents(q.id, "queue.consumer.admitted")).toHaveLength(1);
		expect(await storedEvents(q.id, "queue.opened")).toHaveLength(1);
	});
});

describe("a late alarm never leaves a wrong status visible", () => {
	it.concurrent("queue: CLOSED everywhere before the alarm has run", async () => {
		const t = await tenant();
		const [inLine, late] = await guests(t, 2);
		const closeAt = Date.now() + 2000;
		const q = await createQueue(t, { openAt: iso(closeAt - 10_000), closeAt: iso(closeAt) });
		expect((await enter(t, q.id, inLine)).status).toBe(200);
		await holdAlarm(queueStub(q.id), closeAt);
		await sleepUntil(closeAt + 100);
		expect(await storedStatus(q.id), "the alarm has not run").toBe("OPEN");
		await expectAdminStatus(t, "queue", q.id, "CLOSED");
		const refused = await enter(t, q.id, late);
		expect(refused.status, refused.text).toBe(409);
		expect(refused.json.title).toBe("Queue closed");
		expect((await status(t, q.id, inLine)).json.status).toBe("QUEUED");
	});

	it.concurrent("draw: CLOSED and sealed everywhere before the alarm has run; DRAWN once it has verified the beacon", async () => {
		const t = await tenant();
		const shoppers = await guests(t, 2);
		const d = await shortDraw(t, { winnerCount: 1 }, 1200, 2200);
		await enterAll(t, d.id, shoppers);
		await holdAlarm(drawStub(d.id), d.closeAtMs);
		await sleepUntil(d.drawAtMs + 100);
		expect(await storedStatus(d.id), "the alarm has not run").toBe("OPEN");
		// Past drawAt, nothing but an alarm's verified beacon round draws: reads seal, they never draw.
		await expectAdminStatus(t, "draw", d.id, "CLOSED");
		const sealed = await proofOf(t, d.id);
		expect(sealed.status).toBe("CLOSED");
		expect(sealed.seal).not.toBeNull();
		expect(sealed.beacon).toBeNull();
		const proof = await waitDrawn(t, d.id, 8000);
		expect(proof.beacon.round).toBe(proof.seal.round);
		const states = await Promise.all(shoppers.map((s) => consumerDraw(t, d.id, "status", s)));
		expect(states.map((r) => r.json.status).sort()).toEqual(["LOST", "WON"]);
	});

	it.concurrent("auction: SETTLED everywhere before the alarm has run", async () => {
		const t = await tenant();
		const [bidder] = await guests(t, 1);
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 }, 2000);
		expect((await bid(t, a.id, bidder, 12)).status).toBe(200);
		await holdAlarm(auctionStub(a.id), a.settleAtMs);
		await sleepUntil(a.settleAtMs + 100);
		expect(await storedStatus(a.id), "the alarm has not run").toBe("OPEN");
		await expectAdminStatus(t, "auction", a.id, "SETTLED");
		expect((await publicState(t, a.id)).json.status).toBe("SETTLED");
		const mine = await statusOf(t, a.id, bidder);
		expect(mine.status).toBe("WON");
		expect(typeof mine.admissionToken).toBe("string");
	});
});
