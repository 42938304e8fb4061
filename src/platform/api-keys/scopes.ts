/**
 * API key scopes: what a secret key may do on the merchant API. A request needs the scope of
 * the resource it names (the first path segment after `/api/v1` or `/api`); a GET is also
 * allowed by `read`. A key created without `scopes` gets those of the key creating it; keys
 * that existed before scopes hold all of them (migration 0007), so nothing that worked stops.
 */
export const API_KEY_SCOPES = ["read", "catalog", "distributions", "events", "keys"] as const;
export type Scope = (typeof API_KEY_SCOPES)[number];

/** Each merchant resource and the scope that writes it (and reads it, without `read`). */
export const RESOURCE_SCOPES: Record<string, Exclude<Scope, "read">> = {
	products: "catalog",
	consumers: "catalog",
	orders: "catalog",
	experiences: "distributions",
	sequences: "distributions",
	queues: "distributions",
	draws: "distributions",
	auctions: "distributions",
	admissions: "distributions",
	// The organization's own settings: so far only its Turnstile widget, part of protecting distributions.
	organization: "distributions",
	events: "events",
	"webhook-endpoints": "events",
	"api-keys": "keys",
};

/** The resource a merchant path names: `/api/v1/queues/q_1/admit` → queues, `/api/products` → products. */
export const resourceOf = (path: string) => path.replace(/^\/api(?:\/v1)?\//, "").split("/")[0] ?? "";

/**
 * The scope this request lacks, or null when the key may make it. A resource missing from the
 * table (a route added without its scope) needs every scope: it fails closed.
 */
export function missingScope(scopes: readonly string[], method: string, path: string): string | null {
	const needed = RESOURCE_SCOPES[resourceOf(path)];
	const reading = method === "GET" || method === "HEAD";
	if (!needed) return API_KEY_SCOPES.find((s) => !scopes.includes(s)) ?? null;
	if (scopes.includes(needed) || (reading && scopes.includes("read"))) return null;
	return needed;
}

/** Scopes in their canonical order, each once. */
export const canonicalScopes = (scopes: readonly string[]): Scope[] => API_KEY_SCOPES.filter((s) => scopes.includes(s));
