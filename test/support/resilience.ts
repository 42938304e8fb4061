/**
 * Shared by the resilience suite (tokens, faults, abuse): client retries, token mutations
 * for fast-check, oversized bodies, and the token tests' world. Everything still goes
 * through the real worker and objects.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { complete } from "./admissions";
import { enter as enterDraw, shortDraw, stateOf, waitDrawn } from "./draw";
import { call, guests, type Shopper, type Tenant, tenant } from "./helpers";
import { admit, enter, openQueue, status } from "./queue";
import { sleep } from "./time";

/** fast-check settings for every property of the suite: fixed seed, reproducible. */
export const FC = { seed: 7, numRuns: 100 } as const;

/** A JSON body of exactly `bytes` bytes. */
export function jsonOfSize(bytes: number, fields: Record<string, unknown> = {}): string {
	const shell = JSON.stringify({ ...fields, padding: "" });
	return JSON.stringify({ ...fields, padding: "x".repeat(bytes - shell.length) });
}

// ── bursts and retries ─────────────────────────────────────────────────

export type Reply = Awaited<ReturnType<typeof call>>;
export const isServerError = (r: Reply) => r.status >= 500;

/** Retries a request the way a client would, until it gets an answer that is not a 5xx. */
export async function retry(send: () => Promise<Reply>): Promise<Reply> {
	for (let attempt = 0; ; attempt++) {
		const r = await send();
		if (!isServerError(r) || attempt === 5) return r;
		await sleep(50 * (attempt + 1));
	}
}

// ── token mutations ────────────────────────────────────────────────────

export type Mutation =
	| { op: "replace"; at: number; code: number }
	| { op: "truncate"; keep: number }
	| { op: "append"; extra: string };

/** Printable ASCII without space: everything a header value or a JSON string can carry unchanged. */
const printable = fc.integer({ min: 0x21, max: 0x7e });

/** One edit of a token of `length` characters: a replaced character, a truncation, or an extension. */
export const mutation = (length: number): fc.Arbitrary<Mutation> =>
	fc.oneof(
		fc.record({ op: fc.constant("replace" as const), at: fc.integer({ min: 0, max: length - 1 }), code: printable }),
		fc.record({ op: fc.constant("truncate" as const), keep: fc.integer({ min: 0, max: length - 1 }) }),
		fc.record({
			op: fc.constant("append" as const),
			extra: fc.array(printable, { minLength: 1, maxLength: 12 }).map((cs) => String.fromCharCode(...cs)),
		}),
	);

/** Applies `m`; a replacement by the same character becomes the next printable one, so the token always changes. */
export function mutate(token: string, m: Mutation): string {
	if (m.op === "truncate") return token.slice(0, m.keep);
	if (m.op === "append") return token + m.extra;
	let code = m.code;
	if (String.fromCharCode(code) === token[m.at]) code = code === 0x7e ? 0x21 : code + 1;
	return token.slice(0, m.at) + String.fromCharCode(code) + token.slice(m.at + 1);
}

export const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Every other base64url character in the last position: spellings that differ only in unused low bits included. */
export function lastCharVariants(token: string): string[] {
	const last = token.at(-1) as string;
	return [...BASE64URL].filter((c) => c !== last).map((c) => token.slice(0, -1) + c);
}

// ── the world of the token tests ───────────────────────────────────────

/**
 * One tenant with: five extra secret keys; an open queue where 12 consumers stand in line
 * (the first admitted and holding a live grant, the second admitted and already checked
 * out, the rest waiting with their tickets); a second queue; a drawn draw with two winners
 * (grants and receipts); a consumer who entered nothing; and another organization's ticket.
 */
export async function tokenWorld(): Promise<TokenWorld> {
	const t = await tenant();
	const extra = await Promise.all(
		[1, 2, 3, 4, 5].map((i) => call("/api/v1/api-keys", { key: t.secretKey, body: { type: "secret", name: `k${i}` } })),
	);
	const [d1, d2, fresh] = await guests(t, 3);
	const draw = await shortDraw(t, { winnerCount: 2 }, 2000, 2500);
	await enterDraw(t, draw.id, d1);
	await enterDraw(t, draw.id, d2);
	const [q, q2] = await Promise.all([openQueue(t, { maxCapacity: 10_000 }), openQueue(t)]);
	const line = await guests(t, 12);
	const entered = [];
	for (const s of line) entered.push(await enter(t, q.id, s)); // seqs 1..12, in order
	expect((await admit(t, q.id, 2)).json).toEqual({ admitted: 2 });
	const [holderState, usedState] = await Promise.all(line.slice(0, 2).map((s) => status(t, q.id, s)));
	const usedGrant = usedState.json.admissionToken;
	expect((await complete(t, usedGrant)).status).toBe(200);
	const waiterQ2 = await enter(t, q2.id, line[2]);
	const other = await tenant();
	const foreign = await openQueue(other);
	const [stranger] = await guests(other, 1);
	const foreignEntry = await enter(other, foreign.id, stranger);
	await waitDrawn(t, draw.id);
	const winners = await Promise.all(
		[d1, d2].map(async (s) => {
			const st = await stateOf(t, draw.id, s);
			expect(st.status).toBe("WON");
			return { ...s, grant: st.admissionToken as string, receipt: st.receipt.signature };
		}),
	);
	const w: TokenWorld = {
		t,
		keys: [t.secretKey, ...extra.map((r) => r.json.key as string)],
		q: q.id,
		q2: q2.id,
		foreignQueue: foreign.id,
		draw: draw.id,
		holder: { ...line[0], grant: holderState.json.admissionToken },
		used: { ...line[1], grant: usedGrant },
		waiter: { ...line[2], ticket: entered[2].json.ticket, ticketQ2: waiterQ2.json.ticket, position: 1 },
		tenth: { ...line[9], ticket: entered[9].json.ticket },
		fresh,
		winners,
		foreignTicket: foreignEntry.json.ticket,
	};
	expect(w.keys.every((k) => k?.startsWith("sk_live_"))).toBe(true);
	return w;
}

export interface TokenWorld {
	t: Tenant;
	keys: string[];
	q: string;
	q2: string;
	foreignQueue: string;
	draw: string;
	holder: Shopper & { grant: string };
	used: Shopper & { grant: string };
	waiter: Shopper & { ticket: string; ticketQ2: string; position: number };
	tenth: Shopper & { ticket: string };
	fresh: Shopper;
	winners: (Shopper & { grant: string; receipt: string })[];
	foreignTicket: string;
}
