/**
 * D1 tables for tenancy and the catalog. Every tenant-owned table leads its
 * indexes with `organization_id`: each query is scoped to one organization.
 * Times are epoch milliseconds; money is integer minor units.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ACCESS_MODES } from "../distributions/access/modes";
import type { Protection } from "../distributions/protection/modes";
import type { Theme } from "../experiences/experiences/theme";
import { API_KEY_SCOPES, type Scope } from "../platform/api-keys/scopes";

const timestamps = {
	createdAt: integer("created_at").notNull(),
	updatedAt: integer("updated_at").notNull(),
};

export const organizations = sqliteTable("organizations", {
	id: text("id").primaryKey(),
	name: text("name").notNull(),
	defaultTimeZone: text("default_time_zone").notNull(),
	...timestamps,
});

export const apiKeys = sqliteTable(
	"api_keys",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		type: text("type", { enum: ["secret", "publishable"] }).notNull(),
		name: text("name").notNull(),
		/** The first characters of the key, shown in lists so a merchant can tell keys apart. */
		prefix: text("prefix").notNull(),
		/** SHA-256 of the full key; the key itself is never stored. */
		keyHash: text("key_hash").notNull(),
		/** What the key may do (platform/api-keys/scopes.ts); keys made before scopes existed hold them all. */
		scopes: text("scopes", { mode: "json" })
			.$type<Scope[]>()
			.notNull()
			.default([...API_KEY_SCOPES]),
		createdAt: integer("created_at").notNull(),
		lastUsedAt: integer("last_used_at"),
		revokedAt: integer("revoked_at"),
	},
	(t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_org").on(t.organizationId, t.id)],
);

export const products = sqliteTable(
	"products",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description"),
		price: integer("price").notNull(),
		sku: text("sku").notNull(),
		/** Units left; null when stock is not tracked. Never below zero. */
		inventory: integer("inventory"),
		...timestamps,
	},
	(t) => [
		uniqueIndex("products_org_sku").on(t.organizationId, t.sku),
		index("products_org").on(t.organizationId, t.id),
	],
);

export const consumers = sqliteTable(
	"consumers",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		/** Lower-cased and trimmed; null for guests who have not given one. */
		email: text("email"),
		fullName: text("full_name"),
		phone: text("phone"),
		...timestamps,
	},
	(t) => [
		uniqueIndex("consumers_org_email").on(t.organizationId, t.email),
		index("consumers_org").on(t.organizationId, t.id),
	],
);

/**
 * Consumer refresh tokens: only the SHA-256 of each is stored. A family is one sign-in's
 * chain of rotations; `used_at` marks a token already exchanged, and presenting it again
 * revokes the whole family (reuse detection). Deleting the consumer deletes its tokens.
 */
export const refreshTokens = sqliteTable(
	"refresh_tokens",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		consumerId: text("consumer_id")
			.notNull()
			.references(() => consumers.id, { onDelete: "cascade" }),
		familyId: text("family_id").notNull(),
		tokenHash: text("token_hash").notNull(),
		expiresAt: integer("expires_at").notNull(),
		usedAt: integer("used_at"),
		revokedAt: integer("revoked_at"),
		createdAt: integer("created_at").notNull(),
		/** The merchant's session the tokens of this family are bound to (the grants they receive carry it as `sid`). */
		sessionId: text("session_id"),
		/** Issued by the merchant (POST /api/v1/consumers/:id/tokens), not a guest sign-up: its access tokens say so. */
		vouched: integer("vouched", { mode: "boolean" }).notNull().default(false),
	},
	(t) => [
		uniqueIndex("refresh_tokens_hash").on(t.tokenHash),
		index("refresh_tokens_org_family").on(t.organizationId, t.familyId),
		index("refresh_tokens_org_consumer").on(t.organizationId, t.consumerId),
	],
);

export const orders = sqliteTable(
	"orders",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		consumerId: text("consumer_id").notNull(),
		distributionId: text("distribution_id").notNull(),
		externalOrderId: text("external_order_id").notNull(),
		totalAmount: integer("total_amount").notNull(),
		...timestamps,
	},
	(t) => [
		uniqueIndex("orders_org_external").on(t.organizationId, t.externalOrderId),
		index("orders_org").on(t.organizationId, t.id),
		index("orders_org_consumer").on(t.organizationId, t.consumerId, t.id),
		index("orders_org_distribution").on(t.organizationId, t.distributionId, t.id),
	],
);

/**
 * Idempotency records: one per (scope, key), kept 24 h. `state` is `in_flight`
 * until the first response is stored; the stored body is AES-GCM encrypted because
 * a create response can hold a secret shown only once (an API key).
 */
export const idempotencyKeys = sqliteTable(
	"idempotency_keys",
	{
		scope: text("scope").notNull(),
		key: text("key").notNull(),
		requestHash: text("request_hash").notNull(),
		state: text("state", { enum: ["in_flight", "done"] }).notNull(),
		responseStatus: integer("response_status"),
		responseBody: text("response_body"),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_created").on(t.createdAt)],
);

export const experiences = sqliteTable(
	"experiences",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description"),
		timeZone: text("time_zone"),
		checkoutUrl: text("checkout_url"),
		productIds: text("product_ids", { mode: "json" }).$type<string[]>().notNull(),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
		theme: text("theme", { mode: "json" }).$type<Theme>(),
		...timestamps,
	},
	(t) => [index("experiences_org").on(t.organizationId, t.id)],
);

export const sequences = sqliteTable(
	"sequences",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		experienceId: text("experience_id")
			.notNull()
			.references(() => experiences.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		priority: integer("priority").notNull(),
		productId: text("product_id"),
		checkoutUrl: text("checkout_url"),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
		/** Who may take part in its distributions (distributions/access): open, verified, codes or list. */
		access: text("access", { enum: ACCESS_MODES }).notNull().default("open"),
		/** Bot protection of its distributions (distributions/protection): challenge and what a failure costs. */
		protection: text("protection", { mode: "json" })
			.$type<Protection>()
			.notNull()
			.default({ challenge: "none", onFailure: "refuse" }),
		...timestamps,
	},
	(t) => [index("sequences_org").on(t.organizationId, t.id), index("sequences_experience").on(t.experienceId, t.id)],
);

/**
 * Queues, draws and auctions share one table: the common fields of the spec plus
 * each type's own columns (null for the other types). `status` is written through
 * by the distribution's Durable Object at each transition; reads derive the status
 * from the stored times so a late alarm never shows a stale one.
 */
export const distributions = sqliteTable(
	"distributions",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		type: text("type", { enum: ["queue", "draw", "auction"] }).notNull(),
		sequenceId: text("sequence_id")
			.notNull()
			.references(() => sequences.id),
		name: text("name"),
		timeZone: text("time_zone").notNull(),
		status: text("status").notNull(),
		openAt: integer("open_at"),
		closeAt: integer("close_at"),
		drawAt: integer("draw_at"),
		settleAt: integer("settle_at"),
		/** Set by the engine when the distribution is finished (COMPLETED, or SETTLED for auctions). */
		completedAt: integer("completed_at"),
		encryptionSeed: text("encryption_seed").notNull(),
		maxCapacity: integer("max_capacity"),
		admissionRate: integer("admission_rate"),
		sessionDurationSeconds: integer("session_duration_seconds"),
		/** Queues: how long before openAt shoppers may enter; their order is shuffled at open. */
		prequeueSeconds: integer("prequeue_seconds").notNull().default(0),
		/** Queues: how many shard objects take enters (1: the queue's own object, as before; queue/shards/). */
		entryShards: integer("entry_shards").notNull().default(1),
		winnerCount: integer("winner_count"),
		maxEntries: integer("max_entries"),
		/** Draws and auctions: how long a winner has to claim (default 86,400 s); draws: whether expired places pass down the ranking. */
		claimWindowSeconds: integer("claim_window_seconds"),
		backfill: integer("backfill", { mode: "boolean" }).notNull().default(false),
		startingBid: integer("starting_bid"),
		minimumIncrement: integer("minimum_increment"),
		reservePrice: integer("reserve_price"),
		buyNowPrice: integer("buy_now_price"),
		/** Auctions: a leader-changing bid this close to closeAt extends it, up to maxExtensionSeconds in all. */
		softCloseSeconds: integer("soft_close_seconds"),
		maxExtensionSeconds: integer("max_extension_seconds"),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
		...timestamps,
	},
	(t) => [
		index("distributions_org_type").on(t.organizationId, t.type, t.id),
		index("distributions_sequence").on(t.sequenceId, t.id),
	],
);

/** The event log: every create, update, delete and status transition, stored by the queue consumer. */
export const events = sqliteTable(
	"events",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		type: text("type").notNull(),
		distributionId: text("distribution_id"),
		data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		index("events_org").on(t.organizationId, t.id),
		index("events_org_type").on(t.organizationId, t.type, t.id),
		index("events_org_distribution").on(t.organizationId, t.distributionId, t.id),
	],
);

/** Where a merchant wants events delivered. The signing secret is stored encrypted (AES-GCM). */
export const webhookEndpoints = sqliteTable(
	"webhook_endpoints",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		url: text("url").notNull(),
		description: text("description"),
		/** Event types, `prefix.*` patterns, or `*`. */
		events: text("events", { mode: "json" }).$type<string[]>().notNull(),
		secretCiphertext: text("secret_ciphertext").notNull(),
		/** The secret before the last rotation: deliveries are signed with it too until it expires. */
		previousSecretCiphertext: text("previous_secret_ciphertext"),
		previousSecretExpiresAt: integer("previous_secret_expires_at"),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		...timestamps,
	},
	(t) => [index("webhook_endpoints_org").on(t.organizationId, t.id)],
);

/** One event to one endpoint: delivered at least once, retried with backoff, dead after ~24 h. */
export const webhookDeliveries = sqliteTable(
	"webhook_deliveries",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		endpointId: text("endpoint_id")
			.notNull()
			.references(() => webhookEndpoints.id, { onDelete: "cascade" }),
		eventId: text("event_id").notNull(),
		eventType: text("event_type").notNull(),
		status: text("status", { enum: ["pending", "succeeded", "failed", "dead"] }).notNull(),
		attempts: integer("attempts").notNull().default(0),
		lastStatusCode: integer("last_status_code"),
		lastLatencyMs: integer("last_latency_ms"),
		lastError: text("last_error"),
		nextRetryAt: integer("next_retry_at"),
		...timestamps,
	},
	(t) => [
		uniqueIndex("webhook_deliveries_endpoint_event").on(t.endpointId, t.eventId),
		index("webhook_deliveries_endpoint").on(t.endpointId, t.id),
	],
);

export const webhookAttempts = sqliteTable(
	"webhook_attempts",
	{
		deliveryId: text("delivery_id")
			.notNull()
			.references(() => webhookDeliveries.id, { onDelete: "cascade" }),
		attempt: integer("attempt").notNull(),
		statusCode: integer("status_code"),
		/** 0 when no HTTP response came back (answered as null: no timing of a failed connection). */
		latencyMs: integer("latency_ms").notNull(),
		error: text("error"),
		at: integer("at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

/**
 * Access codes of a sequence (distributions/access): only the SHA-256 of each code is stored, and
 * `hint` (its last four characters) tells codes apart in lists. `uses` counts the distinct consumers
 * bound to it (its redemptions), never more than `max_uses`.
 */
export const accessCodes = sqliteTable(
	"access_codes",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		sequenceId: text("sequence_id")
			.notNull()
			.references(() => sequences.id, { onDelete: "cascade" }),
		/** The codes created by one request share it: they can be revoked together. */
		batchId: text("batch_id").notNull(),
		codeHash: text("code_hash").notNull(),
		hint: text("hint").notNull(),
		maxUses: integer("max_uses").notNull(),
		uses: integer("uses").notNull().default(0),
		expiresAt: integer("expires_at"),
		revokedAt: integer("revoked_at"),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		uniqueIndex("access_codes_hash").on(t.codeHash),
		index("access_codes_org_sequence").on(t.organizationId, t.sequenceId, t.id),
		index("access_codes_org_batch").on(t.organizationId, t.batchId),
	],
);

/** A consumer bound to an access code: the first `max_uses` distinct consumers who sent it. */
export const accessCodeRedemptions = sqliteTable(
	"access_code_redemptions",
	{
		codeId: text("code_id")
			.notNull()
			.references(() => accessCodes.id, { onDelete: "cascade" }),
		consumerId: text("consumer_id").notNull(),
		organizationId: text("organization_id").notNull(),
		sequenceId: text("sequence_id").notNull(),
		/** This was the code's n-th use (1-based): how a redemption and its count are written together. */
		useNumber: integer("use_number").notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.codeId, t.consumerId] }),
		index("access_code_redemptions_consumer").on(t.organizationId, t.sequenceId, t.consumerId),
	],
);

/** A sequence's allow-list: consumer ids, or emails (normalized as access/rules.ts does) of consumers to come. */
export const allowListEntries = sqliteTable(
	"allow_list_entries",
	{
		id: text("id").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		sequenceId: text("sequence_id")
			.notNull()
			.references(() => sequences.id, { onDelete: "cascade" }),
		consumerId: text("consumer_id"),
		email: text("email"),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		uniqueIndex("allow_list_sequence_consumer").on(t.sequenceId, t.consumerId),
		uniqueIndex("allow_list_sequence_email").on(t.sequenceId, t.email),
		index("allow_list_org_sequence").on(t.organizationId, t.sequenceId, t.id),
	],
);

/**
 * One person, one entry in a `verified` distribution: the first consumer to enter with a normalized
 * email or phone (stored as SHA-256, not in the clear) holds it; another consumer with the same one is refused.
 */
export const participantIdentities = sqliteTable(
	"participant_identities",
	{
		distributionId: text("distribution_id")
			.notNull()
			.references(() => distributions.id, { onDelete: "cascade" }),
		kind: text("kind", { enum: ["email", "phone"] }).notNull(),
		keyHash: text("key_hash").notNull(),
		consumerId: text("consumer_id").notNull(),
		organizationId: text("organization_id").notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.distributionId, t.kind, t.keyHash] })],
);

/**
 * Merchant console sessions (src/pages/console/session/): a secret key exchanged for a cookie. Only
 * the token's SHA-256 is stored; a session lives while its key is unrevoked (checked on every request).
 */
export const consoleSessions = sqliteTable(
	"console_sessions",
	{
		tokenHash: text("token_hash").primaryKey(),
		organizationId: text("organization_id")
			.notNull()
			.references(() => organizations.id, { onDelete: "cascade" }),
		apiKeyId: text("api_key_id")
			.notNull()
			.references(() => apiKeys.id, { onDelete: "cascade" }),
		createdAt: integer("created_at").notNull(),
		lastSeenAt: integer("last_seen_at").notNull(),
		/** Sliding idle limit, never past createdAt + the absolute limit. */
		expiresAt: integer("expires_at").notNull(),
	},
	(t) => [index("console_sessions_key").on(t.apiKeyId)],
);

/**
 * An organization's Cloudflare Turnstile widget (src/distributions/protection/turnstile/): its site
 * key (public, handed to shoppers) and its secret key, sealed under APP_SECRET (lib/secrets.ts)
 * bound to the organization's id — never returned by any route.
 */
export const turnstileSettings = sqliteTable("turnstile_settings", {
	organizationId: text("organization_id")
		.primaryKey()
		.references(() => organizations.id, { onDelete: "cascade" }),
	siteKey: text("site_key").notNull(),
	secretCiphertext: text("secret_ciphertext").notNull(),
	/** Hostnames a token may have been solved on; empty: any. */
	hostnames: text("hostnames", { mode: "json" }).$type<string[]>().notNull().default([]),
	...timestamps,
});
