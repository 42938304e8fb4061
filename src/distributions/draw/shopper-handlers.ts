/** What the shopper's draw routes do: the draw's object, with the checkout link once a consumer has won. */
import { stream } from "hono/streaming";
import { fieldError, notFound } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { publicSnapshotMs, Snapshots } from "../../lib/snapshot";
import { withCheckout } from "../checkout/service";
import { engineRef, unwrap } from "../common/engine";
import { passGates } from "../common/gates";
import type { EntryEnv } from "../common/identify";
import { connectLimited, requireWebSocket } from "../common/live";
import { ticketOnly, withoutGrant } from "../common/tickets";
import { DRAW_ERRORS } from "./refusals";
import type * as routes from "./shopper-routes";

// EntryEnv: the status route also knows the consumer by ticket (`who`); the others by token.
type Handler<R extends (typeof routes)[keyof typeof routes]> = AppRouteHandler<R, EntryEnv>;

export const enter: Handler<typeof routes.enter> = async (c) => {
	const { id } = c.req.valid("param");
	await passGates(c, "draw", id, "enter", c.req.valid("json").accessCode);
	const org = c.get("tenant").organizationId;
	const state = unwrap(await engineRef(c.env, "draw", id).enter(org, c.get("consumerId")), DRAW_ERRORS);
	// Entering again after a win answers with the entry and its grant: bound to the session like any other answer.
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};

export const leave: Handler<typeof routes.leave> = async (c) => {
	const ref = engineRef(c.env, "draw", c.req.valid("param").id);
	return c.json(unwrap(await ref.leave(c.get("tenant").organizationId, c.get("consumerId")), DRAW_ERRORS), 200);
};

export const status: Handler<typeof routes.status> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const who = c.get("who");
	const state = unwrap(await engineRef(c.env, "draw", id).state(org, who), DRAW_ERRORS);
	// A ticket alone reads the entry but never carries the grant away: that takes the consumer's token.
	if (ticketOnly(who)) return c.json(withoutGrant(state), 200);
	return c.json(await withCheckout(c.env, org, id, state, c.get("sessionId")), 200);
};

/** Whether an If-None-Match header names this ETag (or `*`); weak or strong, as RFC 9110 §13.1.2 compares for GET. */
const matches = (header: string | undefined, etag: string) =>
	!!header && header.split(",").some((tag) => ["*", etag].includes(tag.trim().replace(/^W\//, "")));

/**
 * Proofs served per isolate (lib/snapshot.ts): the draw's object sees one read per isolate a second,
 * not one per GET. At most 50 kept: a drawn proof with 10,000 winners is ≈ 350 KB, and an isolate has 128 MB.
 */
const proofs = new Snapshots<{ body: string; etag: string } | null>({ maxKeys: 50 });

/** The proof as the object serialized it (once, after the draw): sent as is, 304 when the client holds it. */
export const proof: Handler<typeof routes.proof> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const proof = await proofs.get(`${org}|${id}`, publicSnapshotMs(c.env), () =>
		engineRef(c.env, "draw", id).proofJson(org),
	);
	if (!proof) throw notFound("Draw");
	const headers = { ETag: proof.etag, "Cache-Control": "no-cache" };
	if (matches(c.req.header("If-None-Match"), proof.etag)) return c.body(null, 304, headers);
	// The text is JSON.stringify of the schema's object (drawProofSchema), made in the object.
	return c.body(proof.body, 200, { ...headers, "Content-Type": "application/json" });
};

/** Records per object call while streaming the log: the stream never holds more than this. */
const LOG_CHUNK = 5000;

export const log: Handler<typeof routes.log> = async (c) => {
	const { id } = c.req.valid("param");
	const org = c.get("tenant").organizationId;
	const ref = engineRef(c.env, "draw", id);
	let after = c.req.valid("query").after;
	const first = await ref.logChunk(org, after, LOG_CHUNK);
	if (!first) throw notFound("Draw");
	const { head, sealed } = first;
	c.header("Content-Type", "application/json");
	return stream(c, async (out) => {
		await out.write(
			`{"drawId":${JSON.stringify(id)},"size":${head.size},"root":"${head.root}","sealed":${sealed},"records":[`,
		);
		let records: string[] | undefined = first.records;
		for (let n = 0; records?.length; ) {
			// Records are stored as canonical JSON: written as they are, so a verifier hashes exactly these bytes.
			await out.write((n ? "," : "") + records.join(","));
			n += records.length;
			after += records.length;
			records =
				records.length < LOG_CHUNK ? undefined : (await ref.logChunk(org, after, LOG_CHUNK, head.size))?.records;
		}
		await out.write("]}");
	});
};

export const logProof: Handler<typeof routes.logProof> = async (c) => {
	const q = c.req.valid("query");
	const proof = await engineRef(c.env, "draw", c.req.valid("param").id).logProof(c.get("tenant").organizationId, q);
	if (!proof) throw notFound("Draw");
	if (proof === "out_of_range")
		throw fieldError("size", "size, seq and from must lie within the log (seq < size, from ≤ size)");
	return c.json(proof, 200);
};

/** The public feed: the object accepts the socket (hibernation API) and pushes every change of the headline. */
export const live: Handler<typeof routes.live> = async (c) => {
	requireWebSocket(c.req.header("Upgrade"));
	const ref = engineRef(c.env, "draw", c.req.valid("param").id);
	return connectLimited(c, ref, { "X-Organization-Id": c.get("tenant").organizationId }, null);
};
