/**
 * The one list of event types this platform publishes: emitters name their types from
 * here (a typo is a type error) and webhook endpoints' `events` are checked against it
 * (a typo is a 400, not an endpoint that silently never fires).
 */

const DISTRIBUTION_TYPES = ["queue", "draw", "auction"] as const;
type DistType = (typeof DISTRIBUTION_TYPES)[number];

/** Lifecycle events (status-sync.ts publishes `<type>.<verb>`) and CRUD events, per distribution type. */
const LIFECYCLE: Record<DistType, readonly string[]> = {
	queue: ["created", "updated", "deleted", "opened", "sold_out", "closed", "completed"],
	draw: ["created", "updated", "deleted", "opened", "closed", "drawn", "completed"],
	auction: ["created", "updated", "deleted", "opened", "closed", "settled"],
};

/** Events about one consumer of a distribution, recorded by its object (kernel/outbox.ts). */
export const CONSUMER_EVENT_TYPES = [
	"queue.consumer.entered",
	"queue.consumer.left",
	"queue.consumer.denied",
	"queue.consumer.admitted",
	"queue.consumer.expired",
	"queue.consumer.completed",
	"draw.consumer.entered",
	"draw.consumer.left",
	"draw.consumer.won",
	"draw.consumer.lost",
	"draw.consumer.expired",
	"draw.consumer.claimed",
	"auction.bid.placed",
	"auction.outbid",
	"auction.consumer.won",
	"auction.consumer.completed",
] as const;

/** What a distribution's object emits: its consumers' events, a draw's seal and the auction's soft-close extension. */
export type EngineEventType = (typeof CONSUMER_EVENT_TYPES)[number] | "draw.sealed" | "auction.extended";

export const EVENT_TYPES: readonly string[] = [
	...DISTRIBUTION_TYPES.flatMap((t) => LIFECYCLE[t].map((verb) => `${t}.${verb}`)),
	...CONSUMER_EVENT_TYPES,
	"draw.sealed",
	"auction.extended",
	"distribution.updated",
	"experience.created",
	"experience.updated",
	"experience.deleted",
	"sequence.created",
	"sequence.updated",
	"sequence.deleted",
	"access_code.created",
	"access_code.revoked",
	"admission.revoked",
	"order.created",
	"api_key.created",
	"api_key.revoked",
	"webhook.test",
];

const KNOWN = new Set(EVENT_TYPES);

/**
 * Whether a subscription pattern can ever match: `*`, a known type, or `prefix.*` where
 * some known type starts with `prefix.` (`queue.*`, `draw.consumer.*`).
 */
export function isKnownEventPattern(pattern: string): boolean {
	if (pattern === "*" || KNOWN.has(pattern)) return true;
	if (!pattern.endsWith(".*")) return false;
	const prefix = pattern.slice(0, -1);
	return EVENT_TYPES.some((t) => t.startsWith(prefix));
}

/** The distribution type an event's type names (`draw.consumer.won` → draw), or null (`distribution.updated`, `order.created`). */
export function distributionTypeOf(type: string): DistType | null {
	const head = type.split(".")[0];
	return DISTRIBUTION_TYPES.includes(head as DistType) ? (head as DistType) : null;
}
