/**
 * Group commit for a Durable Object's hot writes. An object commits its SQLite writes once
 * per task, and the output gate holds each answer until that commit is durable; the commit,
 * not the statement, is most of what a write costs (bench floor, one run: one RPC 262 µs,
 * one RPC + one INSERT 482 µs, the same INSERT committed with the others that arrived
 * meanwhile 303 µs). `GroupCommit` collects the calls that arrive before the next turn and
 * hands them to `flush` together, in one task, so they share one commit; each call is then
 * answered with its own outcome. Nobody is answered before the flush ran, so an answer still
 * never leaves before what it reports is stored. Under no load a batch is one call, one turn
 * later; under load it grows with the calls the object could not serve yet, which is when
 * commits cost the most. Owns no table and no alarm.
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

interface Waiter<R> {
	resolve: (value: R) => void;
	reject: (error: unknown) => void;
}

export class GroupCommit<I, R> {
	private items: I[] = [];
	private waiters: Waiter<R>[] = [];

	/** `flush` gets the items in arrival order and returns one outcome per item, in the same order. */
	constructor(private readonly flush: (items: I[]) => Outcome<R>[] | Promise<Outcome<R>[]>) {}

	/** Queues `item` for the next flush; resolves (or rejects) with its own outcome once the flush ran. */
	add(item: I): Promise<R> {
		return new Promise<R>((resolve, reject) => {
			if (this.items.length === 0) setTimeout(() => void this.run(), 0);
			this.items.push(item);
			this.waiters.push({ resolve, reject });
		});
	}

	private async run(): Promise<void> {
		const { items, waiters } = this;
		this.items = [];
		this.waiters = [];
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
