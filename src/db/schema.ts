/**
 * D1 tables for tenancy and the catalog. Every tenant-owned table leads its
 * indexes with `organization_id`: each query is scoped to one organization.
 * Times are epoch milliseconds; money is integer minor units.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
