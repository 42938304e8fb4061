/** The Hono environment shared by every route: bindings plus what middleware puts on the context. */
export interface Tenant {
	organizationId: string;
	defaultTimeZone: string;
	/** The API key that authenticated the request: rate limits are counted per key. */
	apiKeyId: string;
}

export type AppEnv = {
	Bindings: Env;
	Variables: {
		requestId: string;
		tenant: Tenant;
	};
};

/** What consumer routes add: the consumer proven by its access token. */
export type ConsumerEnv = {
	Bindings: Env;
	Variables: AppEnv["Variables"] & { consumerId: string };
};
