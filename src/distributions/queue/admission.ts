/**
 * The queue's admission policy as pure functions of its settings and counters: how many
 * a tick admits, the cadence it leaves behind, when the next tick is due, what a waiting
 * consumer is told. No storage here: the object (ticks.ts) applies the decisions to the line.
 *
 *  - A rated tick admits one consumer per 60/admissionRate s — every slot that fell due
 *    since the last tick — never more than maxCapacity ADMITTED at once.
 *  - After a pause (nobody waiting, or the room full) the cadence restarts at the tick:
 *    a pause earns no backlog of slots to spend at once.
 *  - A merchant's admit-now ignores the rate and leaves the cadence alone, never the capacity or the stock.
 *  - Only an OPEN or CLOSED queue admits (CLOSED drains the line).
 *  - With tracked stock, no admission leaves more live grants than units left: a grant holds
 *    a unit until it is used, expires or is given back.
 *  - Sold out: no unit left and no grant outstanding — nobody waiting can be admitted until a restock.
 */

/** Ticks are batched: at most this often, admitting every slot that fell due since the last one. */
export const MIN_TICK_MS = 250;
export const DEFAULT_SESSION_SECONDS = 900;

/** The queue as a tick sees it: settings, the clock and the counters. */
export interface QueueNow {
	now: number;
	/** The queue is OPEN or CLOSED. */
	admitting: boolean;
	/** Consumers per minute; null (or not positive) admits on admit-now only. */
	admissionRate: number | null;
	/** Most consumers ADMITTED at once; null: no limit. */
	maxCapacity: number | null;
	/** Consumers holding a live grant now. */
	active: number;
	/** Consumers placed in line and waiting (the pre-queue, not yet placed, does not count). */
	waiting: number;
	/** The next slot as the counter holds it; 0 means none yet (the cadence starts now). */
	nextSlotAt: number;
	/** Units left of the sequence's product; null: not tracked (no limit). */
	stock: number | null;
}

/** How many more grants the stock allows now: units left minus live grants. */
export const stockRoom = (p: Pick<QueueNow, "stock" | "active">) =>
	p.stock == null ? Number.POSITIVE_INFINITY : Math.max(0, p.stock - p.active);

/**
 * The units left from a product's `inventory` read together with the distribution's count of
 * recorded orders (`ordersRead`, one D1 statement), given the orders this object has counted
 * (`ordersCounted`). The read and the orders race: an order counted here after the read is taken
 * off, and one the read saw but not yet counted here is added back, for its use will take it off.
 * Else a read from before an order, arriving after it, handed its unit out a second time.
 */
export function unitsLeft(inventory: number | null, ordersRead: number, ordersCounted: number): number | null {
	return inventory == null ? null : Math.max(0, inventory - (ordersCounted - ordersRead));
}

export const soldOut = (p: Pick<QueueNow, "stock" | "active">) => p.stock != null && p.stock <= 0 && p.active === 0;

export interface AdmissionInput extends QueueNow {
	/** Most to admit on this call: admit-now's count, or Infinity on a tick. */
	limit: number;
	/** A tick spends the slots due at the rate; admit-now (false) ignores the rate. */
	rated: boolean;
	/** Whether the previous tick left the cadence paused. */
	paused: boolean;
}

export interface AdmissionDecision {
	/** How many to admit now, in line order. */
	admit: number;
	/** The cadence a rated tick stores (next slot, whole ms); null after admit-now, which keeps it. */
	cadence: { nextSlotAt: number; paused: boolean } | null;
}

const slotInterval = (rate: number | null) => (rate != null && rate > 0 ? 60_000 / rate : null);

export function decideAdmission(p: AdmissionInput): AdmissionDecision {
	const interval = slotInterval(p.admissionRate);
	const capacity = p.maxCapacity ?? Number.POSITIVE_INFINITY;
	// Admit-now too: a grant past the stock would only fail at the order.
	const stock = stockRoom(p);
	const room = Math.max(0, Math.min(p.limit, capacity - p.active, p.waiting, stock));
	let slot = p.nextSlotAt || p.now;
	if (p.rated && p.paused) slot = Math.max(slot, p.now);
	let admit = 0;
	if (p.admitting && !p.rated) admit = room;
	else if (p.admitting && interval != null) {
		// Slot by slot, as the times are stored: the same sums a tick at a time would reach,
		// so a fractional interval (60000/7 ms) rounds the same however the ticks fall.
		while (admit < room && slot <= p.now) {
			admit++;
			slot += interval;
		}
	}
	if (!p.rated) return { admit, cadence: null };
	const paused = p.waiting - admit <= 0 || p.active + admit >= capacity || admit >= stock;
	return { admit, cadence: { nextSlotAt: Math.floor(slot), paused } };
}

export interface TickInput extends QueueNow {
	/** The earliest expiry among live grants: the tick expires sessions too. */
	earliestExpiry: number | null;
}

/**
 * When the admission tick should run next: the next slot, if anyone waits and there is
 * room (never sooner than MIN_TICK_MS away), or the next session expiry; null: nothing to do
 * until something changes (an enter, a leave, a checkout wakes it).
 */
export function nextTickAt(p: TickInput): number | null {
	const room = p.active < (p.maxCapacity ?? Number.POSITIVE_INFINITY) && stockRoom(p) > 0;
	const slot = p.nextSlotAt || p.now;
	const nextSlot =
		p.admitting && p.waiting > 0 && room && slotInterval(p.admissionRate) != null
			? Math.max(slot, p.now + MIN_TICK_MS)
			: null;
	const times = [nextSlot, p.earliestExpiry].filter((x): x is number => x != null);
	return times.length ? Math.min(...times) : null;
}

/** Seconds until a consumer at `position` is admitted at the rate, rounded up; null when no rate says. */
export function estimatedWaitSeconds(position: number | null, admissionRate: number | null): number | null {
	if (position == null || admissionRate == null || !(admissionRate > 0)) return null;
	return Math.ceil((position * 60) / admissionRate);
}

/** When a session admitted at `now` ends: its grant's expiry. */
export function sessionEndsAt(now: number, sessionDurationSeconds: number | null): number {
	return now + (sessionDurationSeconds ?? DEFAULT_SESSION_SECONDS) * 1000;
}
