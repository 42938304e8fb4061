/**
 * Resilience: input fuzzing (issue #9), deterministic (fast-check with fixed seeds).
 *
 * Every operation of the live `/openapi.json` — so a new route is fuzzed the day it is
 * documented — is called with valid credentials of an organization holding one of every
 * resource, and random input: JSON bodies with the route's real field names but random-typed
 * values (huge numbers, NaN-like and unicode strings, strings matching the field's pattern but
 * meaning nothing, deep nesting, too many keys, wrong types), arbitrary JSON and malformed text,
 * junk query strings (limit, cursor, status, … repeated, broken percent-encoding), junk path
 * ids, and odd headers (Content-Type variants, Idempotency-Key junk, Authorization junk).
 * This proves:
 * - no input makes the worker answer 5xx: a success is one of the operation's documented
 *   statuses, and anything else is a 4xx in the one RFC 9457 problem shape (src/lib/errors.ts);
 * - nothing is stored from a rejected request: every POST/PUT/DELETE is refused for each reason
 *   that applies (wrong types, unknown field, malformed JSON, media type, body size, credentials,
 *   idempotency key, unknown id), and afterwards the tenant's D1 rows (counts and updated_at),
 *   the idempotency records, the organizations and every resource's live state are unchanged.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { mintApiKey } from "../../src/platform/api-keys/repo";
import { type CallOptions, call, type Res } from "../support/helpers";
import {
	buildWorld,
	credentials,
	fillPath,
	type JsonSchema,
	loadOperations,
	type Operation,
	readAll,
	settledDigest,
	validBody,
	type World,
} from "../support/operations";
import { expectProblem } from "../support/problems";

const SEED = 42;
const RUNS_PER_OPERATION = 10;
const RUNS_PER_REFUSAL = 2;

// ── arbitraries ─────────────────────────────────────────────────────────────

const NASTY = [
	...["", " ", "NaN", "-NaN", "Infinity", "-Infinity", "null", "undefined", "true", "[]", "{}", "0", "-0", "-1"],
	...["1e309", "9007199254740993", "0x1F", "1_000", "１２３", "\u0000", "\u202e", "' OR 1=1 --", "%00", "__proto__"],
	...["<script>alert(1)</script>", "../../etc/passwd", "😀".repeat(40), "a".repeat(3000), "2024-02-30T25:61:61Z"],
	...["9999-99-99T99:99", "0000-00-00T00:00:00.000000000+99:99", "2024-12-15T09:00:00Z", "Mars/Olympus_Mons"],
];
const HUGE = [
	...[1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 5e-324, 1e21],
	...[0.1 + 0.2, 2 ** 31, 1e9 + 0.001, 100.005, -0.01],
];
/** Header-safe text: printable ASCII (workerd would UTF-8-encode anything above, with a warning). */
const headerText = fc.string({ unit: "binary-ascii", maxLength: 40 }).map((t) => t.replace(/[^\x20-\x7e]/g, ""));
const junkString = fc.oneof(
	fc.string(),
	fc.string({ unit: "grapheme", maxLength: 30 }),
	fc.string({ unit: "binary", maxLength: 30 }),
	fc.constantFrom(...NASTY),
);
/** `arb` once in `1 + odds` draws, undefined otherwise. */
const rarely = <T>(arb: fc.Arbitrary<T>, odds = 4) =>
	fc.oneof({ weight: odds, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const junkNumber = fc.oneof(fc.constantFrom(...HUGE), fc.double(), fc.integer());
const anyJson = fc.jsonValue({ maxDepth: 2 });

const typesOf = (s: JsonSchema): Set<string> =>
	new Set(s.anyOf ? s.anyOf.flatMap((x) => [...typesOf(x)]) : s.type ? [s.type] : []);

/** A value of a JSON type the schema does not allow (null when it allows anything). */
function wrongTyped(s: JsonSchema): fc.Arbitrary<unknown> | null {
	const allowed = typesOf(s);
	if (!allowed.size) return null;
	const numeric = allowed.has("number") || allowed.has("integer");
	const candidates: [boolean, fc.Arbitrary<unknown>][] = [
		[allowed.has("string"), junkString],
		[numeric, junkNumber],
		[allowed.has("boolean"), fc.boolean()],
		// An array is an object to some validators: never offer one where an object is allowed.
		[allowed.has("array") || allowed.has("object"), fc.array(anyJson, { maxLength: 3 })],
		[allowed.has("object"), fc.dictionary(fc.string({ maxLength: 5 }), anyJson, { maxKeys: 3 })],
		[allowed.has("null"), fc.constant(null)],
	];
	const wrong = candidates.filter(([ok]) => !ok).map(([, arb]) => arb);
	return fc.oneof(...wrong);
}

/** A value of the right type, chosen to be awkward (edge numbers, pattern-shaped nonsense, huge arrays…). */
function plausible(s: JsonSchema): fc.Arbitrary<unknown> {
	if (s.anyOf) return fc.oneof(...s.anyOf.map(plausible));
	if (s.enum) return fc.oneof(fc.constantFrom(...s.enum), junkString);
	switch (s.type) {
		case "string":
			return s.pattern ? fc.oneof(fc.stringMatching(new RegExp(s.pattern)), junkString) : junkString;
		case "number":
		case "integer":
			return junkNumber;
		case "boolean":
			return fc.boolean();
		case "null":
			return fc.constant(null);
		case "array":
			return fc.oneof(
				fc.array(s.items ? plausible(s.items) : anyJson, { maxLength: 4 }),
				fc.array(fc.string({ maxLength: 3 }), { minLength: 101, maxLength: 110 }),
			);
		case "object":
			return fc.oneof(
				fc.dictionary(junkString, anyJson, { maxKeys: 5 }),
				fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.constant(1), { minKeys: 51, maxKeys: 55 }),
			);
		default:
			return anyJson;
	}
}

const valueFor = (s: JsonSchema) =>
	fc.oneof({ weight: 3, arbitrary: plausible(s) }, { weight: 1, arbitrary: wrongTyped(s) ?? anyJson }, anyJson);

/** Objects with the operation's real field names (any subset), sometimes with an extra junk field. */
function shapedBody(schema: JsonSchema) {
	const fields = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valueFor(s)]));
	return fc
		.tuple(fc.record(fields, { requiredKeys: [] }), rarely(fc.tuple(junkString, anyJson)))
		.map(([body, extra]) => (extra ? { ...body, [extra[0]]: extra[1] } : body));
}

const MALFORMED = [
	...["{", '{"a":', "[1,2", "nul", '{"name": "x",}', "{'a': 1}", "\u0000", '{"a":1}{"b":2}', '"text"', "[]", "true"],
	...["null", "", "1e400", "\uFEFF{}"],
];
const TRAPS = ['{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}'];

/** Raw bodies: malformed text, any JSON text, 1e400 in every field, deep nesting, over 64 KB. */
function rawBody(schema: JsonSchema | null) {
	const fields = Object.keys(schema?.properties ?? {});
	const objectField = Object.entries(schema?.properties ?? {}).find(([, s]) => typesOf(s).has("object"))?.[0];
	return fc.oneof(
		fc.constantFrom(...MALFORMED, ...TRAPS),
		fc.json({ maxDepth: 2 }),
		fc.constant(`{${fields.map((f) => `"${f}": 1e400`).join(", ")}}`),
		fc.integer({ min: 100, max: 30_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
		fc
			.integer({ min: 100, max: 12_000 })
			.map((n) => `{"${objectField ?? "metadata"}": ${'{"a":'.repeat(n)}1${"}".repeat(n)}}`),
		fc.constant(JSON.stringify({ [fields[0] ?? "name"]: "x".repeat(70_000) })),
	);
}

type Body = { json: unknown } | { raw: string } | null;

function bodyArb(op: Operation): fc.Arbitrary<Body> {
	const raw = rawBody(op.bodySchema).map((r): Body => ({ raw: r }));
	const json = (arb: fc.Arbitrary<unknown>) => arb.map((j): Body => ({ json: j }));
	if (!op.bodySchema) return fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, json(anyJson), raw);
	return fc.oneof({ weight: 5, arbitrary: json(shapedBody(op.bodySchema)) }, json(anyJson), {
		weight: 2,
		arbitrary: raw,
	});
}

const QUERY_JUNK = ["-1", "0", "101", "1.5", "1e2", "NaN", "Infinity", "", "null", "[]", "OPEN", "queue.*", "*"];
const RAW_QUERY = ["%", "%zz", "limit=%E0%A4%A", "cursor=%C0%80", "a=%", "%FF%FE=1", "&&&", "=1", "cursor=a.b.c"];

function queryArb(op: Operation) {
	const names = [...new Set([...op.queryParams, "limit", "cursor", "status", "type", "sequenceId", "email", "zzz"])];
	const value = fc.oneof(
		fc.constantFrom(...QUERY_JUNK),
		junkString,
		fc.integer().map(String),
		fc.constant("a".repeat(600)),
	);
	return fc
		.tuple(
			fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 4 }),
			fc.option(fc.constantFrom(...RAW_QUERY)),
		)
		.map(([pairs, raw]) => [new URLSearchParams(pairs).toString(), raw].filter(Boolean).join("&"));
}

const CONTENT_TYPES = [
	...["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json"],
	...["application/vnd.api+json", "text/plain", "text/html", "application/x-www-form-urlencoded", "application/xml"],
	...["multipart/form-data; boundary=x", "", "json", "application/json, text/plain", "application/jsonx", "*/*"],
];
const AUTH_JUNK = [
	...["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b", `Bearer ${"x".repeat(4000)}`],
	...[`Bearer sk_live_${"A".repeat(32)}`, `Bearer pk_live_${"A".repeat(32)}`, "Bearer eyJhbGciOiJub25lIn0.e30."],
];
const IDEMPOTENCY_HEADERS = ["Idempotency-Key", "X-Idempotency-Key"];
const IDEMPOTENCY_JUNK = ["", " ", "a b", "x".repeat(256), "k".repeat(255), "tab\there", "replayed-key"];

interface Fuzzed {
	w: World;
	/** A secret key of its own per admin operation: each key has its own per-minute budget. */
	keys: Map<string, string>;
}

/** Valid credentials for `op`, as call options. */
function validAuth(f: Fuzzed, op: Operation): CallOptions {
	const own = f.keys.get(`${op.method} ${op.path}`);
	const base = credentials(op, f.w);
	return { key: own ?? base.key, headers: base.headers };
}

/** Junk credentials: wrong scheme, unknown or malformed keys, the other kind of key. */
function junkAuth(f: Fuzzed, op: Operation): fc.Arbitrary<CallOptions> {
	const valid = validAuth(f, op);
	if (op.surface === "consumer") {
		const pk = fc.oneof(headerText, fc.constantFrom(...AUTH_JUNK, f.w.org.secretKey, `pk_live_${"B".repeat(32)}`));
		const badKey = pk.map((p): CallOptions => ({ key: valid.key, headers: { "X-Publishable-Key": p } }));
		const badToken = fc
			.oneof(headerText, fc.constantFrom(...AUTH_JUNK))
			.map((a): CallOptions => ({ headers: { ...valid.headers, Authorization: a } }));
		return op.needsToken ? fc.oneof(badKey, badToken) : badKey;
	}
	const others = op.surface === "platform" ? [f.w.org.secretKey] : [f.w.org.publishableKey, env.PLATFORM_ADMIN_TOKEN];
	return fc
		.oneof(headerText, fc.constantFrom(...AUTH_JUNK, ...others.map((k) => `Bearer ${k}`), `Bearer ${valid.key}x`))
		.map((a): CallOptions => ({ headers: { Authorization: a } }));
}

/** One random request for `op`. */
function requestArb(f: Fuzzed, op: Operation): fc.Arbitrary<{ path: string; opts: CallOptions }> {
	const junkId = fc.oneof(
		junkString.map((s) => encodeURIComponent(s.toWellFormed() || "x")),
		fc.constant("%E0%A4%A"),
	);
	const segments = rarely(fc.array(junkId, { minLength: 1, maxLength: 2 }));
	const headers = fc.record({
		contentType: rarely(fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerText), 2),
		idempotency: rarely(
			fc.tuple(fc.constantFrom(...IDEMPOTENCY_HEADERS), fc.oneof(headerText, fc.constantFrom(...IDEMPOTENCY_JUNK))),
			2,
		),
		ticket: rarely(headerText, 6),
	});
	const auth = rarely(junkAuth(f, op), 6);
	return fc.tuple(segments, queryArb(op), bodyArb(op), headers, auth).map(([segs, query, body, h, bad]) => {
		let i = 0;
		const path = fillPath(op, f.w, () => (segs ? segs[i++ % segs.length] : undefined)) ?? op.path;
		const creds = bad ?? validAuth(f, op);
		const extra: Record<string, string> = {};
		if (h.contentType !== undefined) extra["Content-Type"] = h.contentType;
		if (h.idempotency) extra[h.idempotency[0]] = h.idempotency[1];
		if (h.ticket !== undefined) extra["X-Queue-Ticket"] = h.ticket;
		const opts: CallOptions = { method: op.method, key: creds.key, headers: { ...creds.headers, ...extra } };
		const bodyless = op.method === "GET" || op.method === "HEAD";
		if (body && !bodyless) opts.raw = "raw" in body ? body.raw : (JSON.stringify(body.json) ?? "null");
		if (opts.raw !== undefined && h.contentType === undefined)
			(opts.headers as Record<string, string>)["Content-Type"] = "application/json";
		return { path: query ? `${path}?${query}` : path, opts };
	});
}

const describeRequest = (op: Operation, path: string, opts: CallOptions) =>
	`${op.method} ${path.slice(0, 200)} headers=${JSON.stringify(opts.headers).slice(0, 300)} body=${(opts.raw ?? "").slice(0, 200)}`;

/** Below 500; a success is documented; a 4xx is a problem. */
function expectSane(op: Operation, res: Res, context: string) {
	expect(res.status, `${context} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
	if (res.status >= 400) expectProblem(res, context);
	else expect(op.success, `${context} → undocumented ${res.status}`).toContain(res.status);
}

// ── setup ───────────────────────────────────────────────────────────────────

let ops: Operation[];

async function fuzzed(name: string): Promise<Fuzzed> {
	const w = await buildWorld(inject("receiverUrl"), name);
	const keys = new Map<string, string>();
	// A key per operation (its own rate-limit budgets): more than the API's cap of live keys per
	// organization, so they are stored straight into D1, as the API would store them.
	for (const op of ops) {
		if (op.surface !== "admin") continue;
		const { row, created } = await mintApiKey(w.org.organizationId, "secret", op.key);
		await env.DB.prepare(
			"INSERT INTO api_keys (id, organization_id, type, name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		)
			.bind(
				row.id,
				row.organizationId,
				row.type,
				row.name,
				row.prefix,
				row.keyHash,
				JSON.stringify(row.scopes),
				row.createdAt,
			)
			.run();
		keys.set(`${op.method} ${op.path}`, created.key);
	}
	return { w, keys };
}

beforeAll(async () => {
	ops = await loadOperations();
	expect(ops.length).toBeGreaterThanOrEqual(90);
}, 30_000);

/** Rows outside any one tenant: organizations, and the operator's idempotency records. */
const globalRows = () =>
	env.DB.prepare(
		"SELECT (SELECT COUNT(*) FROM organizations) AS orgs, (SELECT COUNT(*) FROM idempotency_keys WHERE scope = 'platform') AS idem",
	).first();

/** Date-times of the right format at its edges: year 0, the epoch, past Durable Object alarms (2189), rollovers, DST. */
const EDGE_DATES = [
	...["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2099-12-31T23:59:59.999Z", "2100-01-01T00:00:00Z"],
	...["2189-12-31T23:59", "9999-12-31T23:59:59.999999999Z", "2023-02-29T12:00", "2024-03-10T02:30", "2024-11-03T01:30"],
	...["2024-01-01T00:00+18:00", "2024-01-01T00:00-1801"],
];

describe("fuzzing every operation", () => {
	let f: Fuzzed;
	beforeAll(async () => {
		f = await fuzzed("fuzz");
	}, 60_000);

	it("every date-time field takes the edges of its format without a 5xx, and nothing from 2100 on", async () => {
		let sent = 0;
		for (const op of ops) {
			const fields = Object.entries(op.bodySchema?.properties ?? {}).filter(([, s]) =>
				s.pattern?.startsWith("^\\d{4}-"),
			);
			for (const [field] of fields) {
				for (const date of EDGE_DATES) {
					const body = { ...(validBody(op, f.w) as object), [field]: date };
					const res = await call(fillPath(op, f.w) as string, { ...validAuth(f, op), method: op.method, body });
					const ctx = `${op.method} ${op.path} ${JSON.stringify(body)}`;
					expectSane(op, res, ctx);
					if (date >= "2100")
						expect(res.json?.errors, `${ctx} → ${res.text}`).toContainEqual({
							path: field,
							message: expect.any(String),
						});
					sent++;
				}
			}
		}
		expect(sent).toBeGreaterThanOrEqual(6 * EDGE_DATES.length);
	});

	it("random bodies, queries, ids and headers never get a 5xx, and every 4xx is a problem", async () => {
		// Deletions last, so the other operations still find the resources.
		const ordered = [...ops.filter((o) => o.method !== "DELETE"), ...ops.filter((o) => o.method === "DELETE")];
		const statuses = new Map<number, number>();
		for (const [i, op] of ordered.entries()) {
			await fc.assert(
				fc.asyncProperty(requestArb(f, op), async ({ path, opts }) => {
					const res = await call(path, opts);
					statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
					expectSane(op, res, describeRequest(op, path, opts));
				}),
				{ seed: SEED + i, numRuns: RUNS_PER_OPERATION },
			);
		}
		// The fuzz got past the guards: some requests were served, and refusals came for many reasons.
		const served = [...statuses].filter(([s]) => s < 400).reduce((n, [, count]) => n + count, 0);
		expect(served, JSON.stringify([...statuses])).toBeGreaterThan(ops.length);
		for (const s of [400, 401, 404, 413, 415])
			expect(statuses.get(s), `${s} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
	}, 180_000);
});

// ── nothing stored from a rejected request ──────────────────────────────────

type Req = { path: string; opts: CallOptions };
interface Refusal {
	reason: string;
	expected: number[];
	arb: fc.Arbitrary<Req>;
}

const REASONS = ["wrong types", "unknown field", "malformed JSON", "media type", "body size", "credentials"];
const REFUSED_RAW = MALFORMED.filter((raw) => raw !== "\uFEFF{}"); // a decoder drops the BOM: "{}" may be valid
const NOT_JSON = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json"];
const JSON_TYPE = { "Content-Type": "application/json" };

/** Every way to refuse `op` that applies, each one defect in an otherwise valid request. */
function refusals(f: Fuzzed, op: Operation): Refusal[] {
	const auth = validAuth(f, op);
	const body = validBody(op, f.w);
	const valid = body === undefined ? undefined : JSON.stringify(body);
	const at = (id?: string) => fillPath(op, f.w, id ? () => id : undefined) as string;
	const request = (raw: string | undefined, headers: Record<string, string> = {}, path = at()): Req => ({
		path,
		opts: {
			method: op.method,
			key: auth.key,
			raw,
			headers: { ...auth.headers, ...(raw === undefined ? {} : JSON_TYPE), ...headers },
		},
	});
	// A valid idempotency key on a refused request must be released, not kept.
	const merchantPost = op.surface !== "consumer" && op.method === "POST";
	const idem = (merchantPost ? fc.option(fc.uuid(), { nil: undefined }) : fc.constant(undefined)).map(
		(k): Record<string, string> => (k ? { "Idempotency-Key": k } : {}),
	);
	const out: Refusal[] = [];
	const add = (reason: string, arb: fc.Arbitrary<Req>, ...expected: number[]) => out.push({ reason, expected, arb });
	const props = op.bodySchema?.properties ?? {};
	const wrong = Object.entries(props).flatMap(([k, s]) => {
		const arb = wrongTyped(s);
		return arb ? [[k, arb] as const] : [];
	});
	const json = (b: unknown, h: Record<string, string> = {}) => request(JSON.stringify(b), h);
	if (wrong.length) {
		const record = fc.record(Object.fromEntries(wrong), { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0);
		const wrongBody = fc.tuple(record, idem).map(([b, h]) => json(b, h));
		add("wrong types", wrongBody, 400);
	}
	if (op.bodySchema?.additionalProperties === false) {
		const name = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !Object.hasOwn(props, k));
		const extra = fc.tuple(name, anyJson, idem).filter(([k]) => k !== "__proto__");
		const extraField = extra.map(([k, v, h]) => json({ ...(body as object), [k]: v }, h));
		add("unknown field", extraField, 400);
	}
	const malformed = fc.tuple(fc.constantFrom(...REFUSED_RAW), idem).map(([raw, h]) => request(raw, h));
	if (op.bodySchema) add("malformed JSON", malformed, 400);
	if (op.method !== "DELETE") {
		const notJson = fc.constantFrom(...NOT_JSON).map((t) => request(valid ?? "{}", { "Content-Type": t }));
		add("media type", notJson, 415);
		const pad = fc.integer({ min: 65 * 1024, max: 160 * 1024 }).map((n) => "x".repeat(n));
		const tooLarge = pad.map((x) => json({ ...(body as object), pad: x }));
		add("body size", tooLarge, 413);
	}
	const typed = valid === undefined ? {} : JSON_TYPE;
	const junk = junkAuth(f, op).map(({ key, headers }) => ({
		path: at(),
		opts: { ...request(valid).opts, key, headers: { ...headers, ...typed } },
	}));
	add("credentials", junk, 401, 403);
	if (merchantPost) {
		const bad = fc.tuple(fc.constantFrom(...IDEMPOTENCY_HEADERS), fc.constantFrom("", "a b", "x".repeat(256)));
		add(
			"idempotency key",
			bad.map(([h, v]) => request(valid, { [h]: v })),
			400,
		);
	}
	const ids = fc.constantFrom("missing_01ZZZZZZZZZZZZZZZZZZZZZZZZ", "nope", "%F0%9F%98%80");
	const unknown = fc.tuple(ids, idem).map(([id, h]) => request(valid, h, at(id)));
	if (op.pathParams.length) add("unknown id", unknown, 404);
	return out;
}

describe("nothing stored from a rejected request", () => {
	it("each refusal of each POST/PUT/DELETE is a 4xx problem, and D1 and the live state stay as they were", async () => {
		const f = await fuzzed("refused");
		const org = f.w.org.organizationId;
		const mutating = ops.filter((o) => ["POST", "PUT", "PATCH", "DELETE"].includes(o.method));
		const rowsBefore = await settledDigest(org);
		const globalBefore = await globalRows();
		const readsBefore = await readAll(ops, f.w);
		const reasons = new Set<string>();
		let sent = 0;
		for (const [i, op] of mutating.entries()) {
			for (const r of refusals(f, op)) {
				await fc.assert(
					fc.asyncProperty(r.arb, async ({ path, opts }) => {
						const res = await call(path, opts);
						const ctx = `${r.reason}: ${describeRequest(op, path, opts)}`;
						expect(r.expected, `${ctx} → ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
						expectProblem(res, ctx);
						sent++;
					}),
					{ seed: SEED + i, numRuns: RUNS_PER_REFUSAL },
				);
				reasons.add(r.reason);
			}
		}
		expect(await settledDigest(org)).toEqual(rowsBefore);
		expect(await globalRows()).toEqual(globalBefore);
		expect(await readAll(ops, f.w)).toEqual(readsBefore);
		expect([...reasons].sort()).toEqual([...REASONS, "idempotency key", "unknown id"].sort());
		expect(sent).toBeGreaterThan(5 * mutating.length);
	}, 180_000);
});
