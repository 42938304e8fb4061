import type { Scope } from "../platform/api-keys/scopes";

/** The Hono environment shared by every route: bindings plus what middleware puts on the context. */
export interface Tenant {
	organizationId: string;
	defaultTimeZone: string;
	/** The API key that authenticated the request: rate limits are counted per key. */
	apiKeyId: string;
	/** What the key may do (platform/api-keys/scopes.ts); empty for a publishable key. */
	scopes: readonly Scope[];
}

export type AppEnv = {
	Bindings: Env;
	Variables: {
		requestId: string;
		tenant: Tenant;
	};
};

/** What consumer routes add: the consumer proven by its access token, and whether the merchant issued that token. */
export type ConsumerEnv = {
	Bindings: Env;
	/** `sessionId`: the merchant's session the access token is bound to (its `sid`), null when unbound. */
	Variables: AppEnv["Variables"] & { consumerId: string; vouched: boolean; sessionId: string | null };
};
