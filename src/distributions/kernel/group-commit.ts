/**
 * Group commit for a Durable Object's hot writes. An object commits its SQLite writes once
 * per task, and the output gate holds each answer until that commit is durable; the commit,
 * not the statement, is most of what a write costs (bench floor, one run: one RPC 262 µs,
 * one RPC + one INSERT 482 µs, the same INSERT committed with the others that arrived
 * meanwhile 303 µs). `GroupCommit` hands a call to `flush` at once when the object is idle
 * (nothing flushed in the last BUSY_MS), in the caller's own task, as a plain write would be;
 * once busy it collects the calls that arrive before the next turn and flushes them together,
 * in one task, so they share one commit. Each call is answered with its own outcome, and
 * nobody before the flush ran, so an answer never leaves before what it reports is stored.
 * A rarely hit object (a quiet draw) pays nothing for grouping; a rushed one (a
 * launch's queue) commits once per turn instead of once per call. Owns no table and no alarm.
 */

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Runs `fn`, catching what it throws into the outcome (one call's failure is not its neighbours'). */
export function settle<R>(fn: () => R): Outcome<R> {
	try {
		return { ok: true, value: fn() };
	} catch (error) {
		return { ok: false, error };
	}
}

/** `storage.transactionSync`, or an owner's wrapper of it (the kernel's `atomically`). */
export type Transaction = <T>(fn: () => T) => T;

/**
 * What every owner's flush does with a group: `run` for each item, all in one transaction, each
 * in its own savepoint (a nested `transaction`), so one that throws rolls back alone and fails
 * only its own call. A lone item's savepoint is its transaction.
 */
export function inSavepoints<I, R>(transaction: Transaction, items: I[], run: (item: I) => R): Outcome<R>[] {
	const each = (item: I) => settle(() => transaction(() => run(item)));
	return items.length === 1 ? [each(items[0] as I)] : transaction(() => items.map(each));
}

interface Waiter<R> {
	resolve: (value: R) => void;
	reject: (error: unknown) => void;
}

/**
 * A call this soon after the last flush finds the object busy and waits for the next turn's
 * group. workerd's clock moves between events, not within one, so calls delivered in one burst
 * read the same millisecond.
 */
export const BUSY_MS = 2;

export class GroupCommit<I, R> {
	private items: I[] = [];
	private waiters: Waiter<R>[] = [];
	private lastFlushAt = Number.NEGATIVE_INFINITY;

	/** `flush` gets the items in arrival order and returns one outcome per item, in the same order. */
	constructor(private readonly flush: (items: I[]) => Outcome<R>[] | Promise<Outcome<R>[]>) {}

	/** Flushes `item` now (idle) or with the next group (busy); settles with its own outcome once flushed. */
	add(item: I): Promise<R> {
		return new Promise<R>((resolve, reject) => {
			const idle = this.items.length === 0 && Date.now() - this.lastFlushAt > BUSY_MS;
			if (idle) return void this.run([item], [{ resolve, reject }]);
			if (this.items.length === 0) setTimeout(() => void this.next(), 0);
			this.items.push(item);
			this.waiters.push({ resolve, reject });
		});
	}

	private next(): Promise<void> {
		const { items, waiters } = this;
		this.items = [];
		this.waiters = [];
		return this.run(items, waiters);
	}

	private async run(items: I[], waiters: Waiter<R>[]): Promise<void> {
		this.lastFlushAt = Date.now();
		let outcomes: Outcome<R>[];
		try {
			outcomes = await this.flush(items);
		} catch (error) {
			for (const w of waiters) w.reject(error);
			return;
		}
		waiters.forEach((w, i) => {
			const o = outcomes[i];
			if (o?.ok) w.resolve(o.value);
			else w.reject(o ? o.error : new Error("group commit: no outcome for a call"));
		});
	}
}
