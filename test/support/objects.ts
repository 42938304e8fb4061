/**
 * The test seam into a distribution's Durable Object: its stub, its alarm, its simulated
 * clock, and — through `objectRows` — its own SQLite tables.
 *
 * Suites learn what an object knows through its RPC methods (stats(), entries(), state(),
 * status(), checkGrant(), grantIdOf(), participantCount(), proof(), results()…) or through the
 * HTTP API. A few facts are neither: the transitions the object recorded and whether each was
 * delivered (its outbox), its schedule, admission times to the millisecond (the API rounds to
 * the second), whether its storage is empty after DELETE. Those are read here, and only here,
 * so a change to an object's tables has one place to follow in test/. Writes through the same
 * seam stage a state no request can reach quickly (a grant whose expiry already passed).
 * One more seam reaches an object, through its `configure` RPC rather than its tables:
 * `createBackdated` (distributions.ts) gives a distribution times already past, which a
 * create refuses, and lets the object catch up on them as a late alarm would.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { waitFor } from "./time";

export type Kind = "queue" | "draw" | "auction";

export function stubOf(kind: Kind, id: string) {
	const ns = { queue: env.QUEUE_OBJECT, draw: env.DRAW_OBJECT, auction: env.AUCTION_OBJECT }[kind];
	return ns.getByName(id);
}
export const queueStub = (id: string) => env.QUEUE_OBJECT.getByName(id);
export const drawStub = (id: string) => env.DRAW_OBJECT.getByName(id);
export const auctionStub = (id: string) => env.AUCTION_OBJECT.getByName(id);

type Row = Record<string, SqlStorageValue>;

/** Runs `query` on the object's own SQLite, from inside it (a runInDurableObject callback, an injected fault). */
export function rowsIn<T extends Row>(state: DurableObjectState, query: string, ...bindings: unknown[]): T[] {
	return state.storage.sql.exec<T>(query, ...bindings).toArray();
}

/** Runs `query` on the object's own SQLite and returns its rows: the one way test/ reads (or stages) an object's tables. */
export function objectRows<T extends Row>(
	stub: DurableObjectStub,
	query: string,
	...bindings: unknown[]
): Promise<T[]> {
	return runInDurableObject(stub, (_instance, state) => rowsIn<T>(state, query, ...bindings));
}

/** The transitions the object recorded, in order, and whether each was delivered (written through to D1 and published). */
export const transitionsOf = (stub: DurableObjectStub) =>
	objectRows<{ status: string; at: number; seq: number; delivered: number }>(
		stub,
		"SELECT status, at, seq, delivered FROM transitions ORDER BY seq",
	);

/** The object's agenda: what its one alarm will run, and when. */
export const scheduleOf = (stub: DurableObjectStub) =>
	objectRows<{ kind: string; at: number }>(stub, "SELECT kind, at FROM schedule ORDER BY at");

/** The object's own tables that still exist (none once DELETE wiped it). */
export const tablesOf = async (stub: DurableObjectStub) =>
	(
		await objectRows<{ name: string }>(
			stub,
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
		)
	).map((r) => r.name);

// ── the alarm ──────────────────────────────────────────────────────────

export const alarmOf = (stub: DurableObjectStub) => runInDurableObject(stub, (_i, state) => state.storage.getAlarm());

/** Deletes the alarm: the object is "late" until a request or a new alarm catches it up. */
export const dropAlarm = (stub: DurableObjectStub) =>
	runInDurableObject(stub, (_i, state) => state.storage.deleteAlarm());

/** Sets the alarm to `at` without running anything. */
export const setAlarm = (stub: DurableObjectStub, at: number) =>
	runInDurableObject(stub, (_i, state) => state.storage.setAlarm(at));

/** Polls the object's alarm until it equals `expected` (engine ticks arm it briefly at "now"). */
export const waitAlarm = (stub: DurableObjectStub, expected: number | null, timeoutMs = 3000) =>
	waitFor(
		`alarm at ${expected}`,
		() => alarmOf(stub),
		(a) => a === expected,
		timeoutMs,
	);

/** Waits until the object's alarm points at `at`, then deletes it: what is due at `at` runs only when a test says so. */
export async function holdAlarm(stub: DurableObjectStub, at: number, timeoutMs = 4000) {
	await waitAlarm(stub, at, timeoutMs);
	await dropAlarm(stub);
}

// ── the simulated clock ────────────────────────────────────────────────

/** What a schedule kind's handler looks like from a test (it is protected in the object). */
export type ScheduleHandler = { onSchedule(kind: string, now: number): number | null };

/** Runs the schedule kind `kind` (e.g. `admit`, `claims`) at the simulated time `at`, in a transaction, as the alarm would. */
export function runScheduleAt(stub: DurableObjectStub, kind: string, at: number): Promise<number | null> {
	return runInDurableObject(stub, (instance, state) =>
		state.storage.transactionSync(() => (instance as unknown as ScheduleHandler).onSchedule(kind, at)),
	);
}
