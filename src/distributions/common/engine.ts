/**
 * Talking to the Durable Object that runs a distribution: the one way to name it, and
 * the one way to turn its reply into a value or the problem its refusal stands for.
 */
import { type ApiError, notFound } from "../../http/problems";
import { isId } from "../../lib/ids";
import type { DistributionType } from "./status";

export const TYPE_NAMES = { queue: "Queue", draw: "Draw", auction: "Auction" } as const;

const NAMESPACES = { queue: "QUEUE_OBJECT", draw: "DRAW_OBJECT", auction: "AUCTION_OBJECT" } as const;
type Stub<K extends DistributionType> = ReturnType<Env[(typeof NAMESPACES)[K]]["getByName"]>;

/**
 * The object of distribution `id` of this kind. An id of another shape is the kind's 404
 * at once: no object is named (let alone created) for junk, and no query is spent on it.
 */
export function engineRef<K extends DistributionType>(env: Env, kind: K, id: string): Stub<K> {
	if (!isId(kind, id)) throw notFound(TYPE_NAMES[kind]);
	return env[NAMESPACES[kind]].getByName(id) as Stub<K>;
}

/** An engine's refusal (`{ ok: false, error }`), possibly with more that its problem can quote. */
type Refused<E extends string> = { ok: false; error: E };

/** One engine's refusals: each error code and the problem the client gets for it. */
export type Refusals<E extends string, F extends Refused<E> = Refused<E>> = Record<E, (reply: F) => ApiError>;

/** The value of an engine's reply, or its refusal thrown as the problem `table` gives it. */
export function unwrap<T, E extends string, F extends Refused<E>>(
	reply: { ok: true; value: T } | F,
	table: Refusals<E, F>,
): T {
	if (!reply.ok) throw table[reply.error](reply);
	return reply.value;
}
