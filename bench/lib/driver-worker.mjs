/**
 * A bench-only worker that runs inside workerd (Miniflare), next to the worker under test —
 * never in Node. `startMiniflare(prep, { driver: true })` loads it as a second worker whose
 * Durable Object bindings point at the worker's own classes (same namespaces, same objects).
 *
 * POST /loop {binding, name, method, args, seconds, count, concurrency, offset?, cycle?}
 * calls `env[binding].getByName(name)[method](...args)` over RPC, `concurrency` calls in
 * flight, until `count` calls or `seconds` (the clock advances while calls are awaited) —
 * one HTTP request for thousands of calls, so the workerd CPU the bench reads from /proc
 * around it is the objects' work plus the RPC round trips, with no HTTP, routing or auth.
 * Arguments are templates for the n-th call (n = offset + i, or (offset + i) % cycle):
 * "{n}" inside a string becomes n; {"$seq": {start, step}} becomes start + n × step;
 * {"$batch": {size, item}} becomes `size` copies of `item`, the j-th filled with n × size + j
 * (a batch of distinct arrivals per call, numbered on from the previous call's).
 * Answers {calls, ok, refused: {error: count}, thrown: {message: count}, first, last}:
 * a reply `{ok: false, error}` is refused, anything else (including non-objects) is ok.
 */
function fill(value, n) {
	if (typeof value === "string") return value.replaceAll("{n}", String(n));
	if (Array.isArray(value)) return value.map((v) => fill(v, n));
	if (value && typeof value === "object") {
		if (value.$seq) return value.$seq.start + n * value.$seq.step;
		if (value.$batch) {
			const { size, item } = value.$batch;
			return Array.from({ length: size }, (_, j) => fill(item, n * size + j));
		}
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, n)]));
	}
	return value;
}

const tally = (map, key) => {
	map[key] = (map[key] ?? 0) + 1;
};

export default {
	async fetch(request, env) {
		if (request.method !== "POST" || new URL(request.url).pathname !== "/loop") {
			return new Response("POST /loop", { status: 404 });
		}
		const spec = await request.json();
		const ns = env[spec.binding];
		if (!ns) return Response.json({ error: `no binding ${spec.binding}` }, { status: 400 });
		const stub = ns.getByName(spec.name);
		const deadline = Date.now() + (spec.seconds ?? 5) * 1000;
		const count = spec.count ?? Number.POSITIVE_INFINITY;
		const out = { calls: 0, ok: 0, refused: {}, thrown: {}, first: null, last: null };
		let next = 0;
		async function lane() {
			while (next < count && Date.now() < deadline) {
				const i = next++;
				const n = spec.cycle ? ((spec.offset ?? 0) + i) % spec.cycle : (spec.offset ?? 0) + i;
				try {
					const reply = await stub[spec.method](...fill(spec.args ?? [], n));
					if (reply && typeof reply === "object" && reply.ok === false) tally(out.refused, String(reply.error));
					else out.ok++;
					out.first ??= reply ?? null;
					out.last = reply ?? null;
				} catch (err) {
					tally(out.thrown, String(err?.message ?? err).slice(0, 200));
				}
				out.calls++;
			}
		}
		await Promise.all(Array.from({ length: spec.concurrency ?? 1 }, lane));
		return Response.json(out);
	},
};
