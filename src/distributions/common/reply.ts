/**
 * What an engine object's RPC answers: the value, or a refusal the route turns into a
 * problem response. A refusal is an expected answer (closed, full, too low), never a
 * throw: a throw is a fault, a 500. One shape for every engine, so routes unwrap them alike.
 * `Accepted` and `Refused` carry extra fields an engine adds to either side (an auction's
 * `replayed`, its `minimumNextBid`).
 */
export type Reply<T, E extends string, Accepted extends object = object, Refused extends object = object> =
	| ({ ok: true; value: T } & Accepted)
	| ({ ok: false; error: E } & Refused);

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const refuse = <E extends string>(error: E): { ok: false; error: E } => ({ ok: false, error });
