/**
 * The queue's admission policy (src/distributions/queue/admission.ts) without the object:
 * rate pacing, the pause rule, capacity, admit-now, zero and negative edges, fractional
 * intervals and their rounding, the next tick, and the wait estimate — plus a seeded
 * property check against the admission loop as the queue object ran it before the policy
 * was pulled out (an oracle walking a simulated line).
 */
import { describe, expect, it } from "vitest";
import {
	type AdmissionInput,
	DEFAULT_SESSION_SECONDS,
	decideAdmission,
	estimatedWaitSeconds,
	MIN_TICK_MS,
	nextTickAt,
	sessionEndsAt,
	soldOut,
	stockRoom,
	unitsLeft,
} from "../../../src/distributions/queue/admission";
import { mulberry32 } from "../../support/random";

const NOW = 1_000_000;

/** A rated tick on an OPEN queue at 60 a minute (one slot a second), nobody admitted yet. */
const tick = (over: Partial<AdmissionInput> = {}): AdmissionInput => ({
	now: NOW,
	admitting: true,
	admissionRate: 60,
	maxCapacity: null,
	active: 0,
	waiting: 1000,
	limit: Number.POSITIVE_INFINITY,
	rated: true,
	nextSlotAt: 0,
	paused: false,
	stock: null,
	...over,
});

const admitNow = (count: number, over: Partial<AdmissionInput> = {}) => tick({ rated: false, limit: count, ...over });

describe("rate pacing", () => {
	it("the first tick admits one and starts the cadence at now", () => {
		expect(decideAdmission(tick())).toEqual({ admit: 1, cadence: { nextSlotAt: NOW + 1000, paused: false } });
	});

	it("admits every slot that fell due since the last tick, and no slot ahead of time", () => {
		const d = decideAdmission(tick({ nextSlotAt: NOW - 2500 }));
		expect(d).toEqual({ admit: 3, cadence: { nextSlotAt: NOW + 500, paused: false } });
		expect(decideAdmission(tick({ nextSlotAt: NOW + 1 })).admit).toBe(0);
		expect(decideAdmission(tick({ nextSlotAt: NOW })).admit).toBe(1);
	});

	it("a slot not yet due keeps its time", () => {
		expect(decideAdmission(tick({ nextSlotAt: NOW + 400 })).cadence).toEqual({ nextSlotAt: NOW + 400, paused: false });
	});

	it("after a pause the cadence restarts now: the pause earns no backlog", () => {
		const d = decideAdmission(tick({ nextSlotAt: NOW - 60_000, paused: true }));
		expect(d).toEqual({ admit: 1, cadence: { nextSlotAt: NOW + 1000, paused: false } });
		// …but a pause never moves a future slot earlier.
		expect(decideAdmission(tick({ nextSlotAt: NOW + 700, paused: true })).cadence?.nextSlotAt).toBe(NOW + 700);
	});

	it("without the pause, a late tick spends the whole backlog", () => {
		expect(decideAdmission(tick({ nextSlotAt: NOW - 59_500 })).admit).toBe(60);
	});

	it("a tick while not admitting (before open, or completed) admits nobody but still starts the cadence", () => {
		expect(decideAdmission(tick({ admitting: false }))).toEqual({
			admit: 0,
			cadence: { nextSlotAt: NOW, paused: false },
		});
		expect(decideAdmission(tick({ admitting: false, nextSlotAt: NOW - 5000 })).cadence?.nextSlotAt).toBe(NOW - 5000);
	});
});

describe("capacity and the line", () => {
	it("never admits past maxCapacity, and pauses when the room is full", () => {
		const d = decideAdmission(tick({ maxCapacity: 5, active: 3, nextSlotAt: NOW - 10_000 }));
		expect(d).toEqual({ admit: 2, cadence: { nextSlotAt: NOW - 8000, paused: true } });
	});

	it("a full (or overfull, after maxCapacity was lowered) room admits nobody", () => {
		expect(decideAdmission(tick({ maxCapacity: 5, active: 5 })).admit).toBe(0);
		expect(decideAdmission(tick({ maxCapacity: 5, active: 9 }))).toEqual({
			admit: 0,
			cadence: { nextSlotAt: NOW, paused: true },
		});
	});

	it("no maxCapacity: no limit", () => {
		expect(decideAdmission(tick({ maxCapacity: null, active: 1_000_000, nextSlotAt: NOW - 4000 })).admit).toBe(5);
	});

	it("admits no more than are waiting, and pauses once the line is empty", () => {
		expect(decideAdmission(tick({ waiting: 2, nextSlotAt: NOW - 10_000 }))).toEqual({
			admit: 2,
			cadence: { nextSlotAt: NOW - 8000, paused: true },
		});
		expect(decideAdmission(tick({ waiting: 0 }))).toEqual({ admit: 0, cadence: { nextSlotAt: NOW, paused: true } });
	});

	it("stays unpaused while someone still waits and there is room", () => {
		expect(decideAdmission(tick({ waiting: 2 })).cadence?.paused).toBe(false);
	});
});

describe("tracked stock", () => {
	it("a tick never leaves more live grants than units left", () => {
		const due = { nextSlotAt: NOW - 60_000 };
		expect(decideAdmission(tick({ ...due, stock: 3 })).admit).toBe(3);
		expect(decideAdmission(tick({ ...due, stock: 3, active: 2 })).admit).toBe(1);
		expect(decideAdmission(tick({ ...due, stock: 3, active: 3 })).admit).toBe(0);
		expect(decideAdmission(tick({ ...due, stock: 0 })).admit).toBe(0);
		expect(decideAdmission(tick({ ...due, stock: null })).admit).toBe(61);
	});

	it("pauses the cadence once the stock is spent, so a restock earns no backlog", () => {
		expect(decideAdmission(tick({ nextSlotAt: NOW - 60_000, stock: 2 })).cadence?.paused).toBe(true);
		expect(decideAdmission(tick({ nextSlotAt: NOW - 60_000, stock: 1000 })).cadence?.paused).toBe(false);
	});

	it("admit-now, the merchant's override of the rate, is still held to the stock", () => {
		expect(decideAdmission(tick({ rated: false, limit: 5, stock: 1 })).admit).toBe(1);
		expect(decideAdmission(tick({ rated: false, limit: 5, stock: 3, active: 3 })).admit).toBe(0);
		expect(decideAdmission(tick({ rated: false, limit: 5, stock: null })).admit).toBe(5);
	});

	it("no next slot while the stock allows no grant; the next expiry still", () => {
		const at = { now: NOW, admitting: true, admissionRate: 60, maxCapacity: null, waiting: 10, nextSlotAt: NOW + 1000 };
		expect(nextTickAt({ ...at, active: 2, stock: 2, earliestExpiry: NOW + 9000 })).toBe(NOW + 9000);
		expect(nextTickAt({ ...at, active: 1, stock: 2, earliestExpiry: NOW + 9000 })).toBe(NOW + 1000);
	});

	it("sold out: no unit left and no grant outstanding", () => {
		expect(soldOut({ stock: 0, active: 0 })).toBe(true);
		expect(soldOut({ stock: 0, active: 1 })).toBe(false);
		expect(soldOut({ stock: 1, active: 0 })).toBe(false);
		expect(soldOut({ stock: null, active: 0 })).toBe(false);
		expect(stockRoom({ stock: 3, active: 1 })).toBe(2);
		expect(stockRoom({ stock: 1, active: 3 })).toBe(0);
	});
});

describe("units left from a stock read", () => {
	it("takes off orders counted after the read and adds back those it saw first", () => {
		// Read 3 units and no order; the object has since counted one: 2 left.
		expect(unitsLeft(3, 0, 1)).toBe(2);
		// Read 2 units after one order the object has not counted yet: its use will take it off.
		expect(unitsLeft(2, 1, 0)).toBe(3);
		expect(unitsLeft(5, 4, 4)).toBe(5);
		expect(unitsLeft(0, 0, 2)).toBe(0);
		expect(unitsLeft(null, 0, 3)).toBeNull();
	});
});

describe("admit-now", () => {
	it("ignores the rate (set or not) and leaves the cadence alone", () => {
		expect(decideAdmission(admitNow(50))).toEqual({ admit: 50, cadence: null });
		expect(decideAdmission(admitNow(50, { admissionRate: null }))).toEqual({ admit: 50, cadence: null });
		expect(decideAdmission(admitNow(50, { nextSlotAt: NOW + 60_000, paused: true })).admit).toBe(50);
	});

	it("never past maxCapacity, and never more than are waiting", () => {
		expect(decideAdmission(admitNow(50, { maxCapacity: 10, active: 4 })).admit).toBe(6);
		expect(decideAdmission(admitNow(50, { waiting: 7 })).admit).toBe(7);
	});

	it("admits nobody unless the queue is OPEN or CLOSED", () => {
		expect(decideAdmission(admitNow(50, { admitting: false })).admit).toBe(0);
	});
});

describe("zero and negative edges", () => {
	it("a rated tick with no rate, a zero or a negative one admits nobody", () => {
		for (const admissionRate of [null, 0, -60]) {
			expect(decideAdmission(tick({ admissionRate, nextSlotAt: NOW - 10_000 })).admit, `${admissionRate}`).toBe(0);
		}
	});

	it("a zero or negative limit admits nobody", () => {
		expect(decideAdmission(admitNow(0)).admit).toBe(0);
		expect(decideAdmission(admitNow(-3)).admit).toBe(0);
		expect(decideAdmission(tick({ limit: 0, nextSlotAt: NOW - 5000 })).admit).toBe(0);
	});

	it("negative counts (drifted counters) admit nobody", () => {
		expect(decideAdmission(tick({ waiting: -1 })).admit).toBe(0);
		expect(decideAdmission(admitNow(5, { waiting: -4 })).admit).toBe(0);
	});

	it("a limit below the slots due caps the tick", () => {
		expect(decideAdmission(tick({ limit: 2, nextSlotAt: NOW - 10_000 }))).toEqual({
			admit: 2,
			cadence: { nextSlotAt: NOW - 8000, paused: false },
		});
	});
});

describe("rounding: fractional intervals", () => {
	// 7 a minute: a slot every 8571.43 ms.
	const seven = (now: number, nextSlotAt: number) => decideAdmission(tick({ admissionRate: 7, now, nextSlotAt }));

	it("a slot is due only once its exact (fractional) time has come", () => {
		const third = 1000 + 2 * (60_000 / 7); // 18142.857…
		expect(seven(Math.floor(third), 1000).admit).toBe(2);
		expect(seven(Math.ceil(third), 1000).admit).toBe(3);
	});

	it("the stored next slot is rounded down to whole ms", () => {
		expect(seven(20_000, 1000).cadence?.nextSlotAt).toBe(26_714); // 1000 + 3 × 8571.43 = 26714.29
	});

	it("seven slots add up to the minute exactly", () => {
		expect(seven(60_000, 1000)).toEqual({ admit: 7, cadence: { nextSlotAt: 61_000, paused: false } });
	});

	it("a rate above one a millisecond admits several per ms", () => {
		expect(decideAdmission(tick({ admissionRate: 120_000, nextSlotAt: NOW - 10 })).admit).toBe(21);
	});
});

describe("nextTickAt", () => {
	const at = (over: Partial<Parameters<typeof nextTickAt>[0]> = {}) =>
		nextTickAt({
			now: NOW,
			admitting: true,
			admissionRate: 60,
			maxCapacity: null,
			active: 0,
			waiting: 10,
			nextSlotAt: NOW + 1000,
			earliestExpiry: null,
			stock: null,
			...over,
		});

	it("the next slot, while someone waits, there is room and a rate", () => {
		expect(at()).toBe(NOW + 1000);
	});

	it("never sooner than MIN_TICK_MS away: ticks are batched", () => {
		expect(at({ nextSlotAt: NOW + 10 })).toBe(NOW + MIN_TICK_MS);
		expect(at({ nextSlotAt: 0 })).toBe(NOW + MIN_TICK_MS);
	});

	it("the earlier of the next slot and the next expiry", () => {
		expect(at({ earliestExpiry: NOW + 600 })).toBe(NOW + 600);
		expect(at({ earliestExpiry: NOW + 5000 })).toBe(NOW + 1000);
	});

	it("only the next expiry when nobody waits, the room is full, there is no rate or it does not admit", () => {
		for (const over of [{ waiting: 0 }, { maxCapacity: 3, active: 3 }, { admissionRate: null }, { admitting: false }]) {
			expect(at({ ...over, earliestExpiry: NOW + 5000 }), JSON.stringify(over)).toBe(NOW + 5000);
			expect(at(over), JSON.stringify(over)).toBeNull();
		}
	});
});

describe("estimatedWaitSeconds and sessions", () => {
	it("the place divided by the rate, rounded up to whole seconds", () => {
		expect(estimatedWaitSeconds(1, 60)).toBe(1);
		expect(estimatedWaitSeconds(10, 7)).toBe(86); // 85.7 s
		expect(estimatedWaitSeconds(120, 60)).toBe(120);
	});

	it("no estimate without a place or a rate", () => {
		expect(estimatedWaitSeconds(null, 60)).toBeNull();
		expect(estimatedWaitSeconds(5, null)).toBeNull();
		expect(estimatedWaitSeconds(5, 0)).toBeNull();
	});

	it("a session lasts sessionDurationSeconds, 15 minutes by default", () => {
		expect(sessionEndsAt(NOW, 30)).toBe(NOW + 30_000);
		expect(sessionEndsAt(NOW, null)).toBe(NOW + DEFAULT_SESSION_SECONDS * 1000);
		expect(DEFAULT_SESSION_SECONDS).toBe(900);
	});
});

/**
 * The admission loop as QueueObject.admit ran it before the policy was a function: one
 * entry at a time off a line of `waiting`, the slot advanced per admission, the counters
 * written after.
 */
function oracle(p: AdmissionInput) {
	const interval = p.admissionRate ? 60_000 / p.admissionRate : null;
	const capacity = p.maxCapacity ?? Number.POSITIVE_INFINITY;
	let line = p.waiting;
	let active = p.active;
	let slot = p.nextSlotAt || p.now;
	if (p.rated && p.paused) slot = Math.max(slot, p.now);
	let admitted = 0;
	while (p.admitting && active < capacity && admitted < p.limit && (!p.rated || (interval != null && slot <= p.now))) {
		if (line <= 0) break;
		line--;
		active++;
		admitted++;
		if (p.rated && interval) slot += interval;
	}
	return {
		admit: admitted,
		cadence: p.rated ? { nextSlotAt: Math.floor(slot), paused: line <= 0 || active >= capacity } : null,
	};
}

describe("the same decisions as the loop it replaced", () => {
	it("agrees on 20,000 seeded random inputs (valid settings: positive rates and capacities)", () => {
		const rnd = mulberry32(13);
		const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
		for (let i = 0; i < 20_000; i++) {
			const input: AdmissionInput = {
				now: NOW + Math.floor(rnd() * 1000),
				admitting: rnd() < 0.85,
				admissionRate: pick([null, 1, 7, 13, 60, 100, 599, 6000, 1 + Math.floor(rnd() * 10_000)]),
				maxCapacity: pick([null, 1, 5, 50, 1 + Math.floor(rnd() * 200)]),
				active: Math.floor(rnd() * 60),
				waiting: pick([0, 1, 3, Math.floor(rnd() * 500)]),
				limit: pick([Number.POSITIVE_INFINITY, 1, 10, 1 + Math.floor(rnd() * 100)]),
				rated: rnd() < 0.8,
				nextSlotAt: pick([0, NOW - Math.floor(rnd() * 30_000), NOW + Math.floor(rnd() * 3000)]),
				paused: rnd() < 0.3,
				stock: null,
			};
			expect(decideAdmission(input), JSON.stringify(input)).toEqual(oracle(input));
		}
	});
});
