import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";

export const productSchema = z
	.object({
		id: z.string().meta({ example: "prod_01HXYZ123456789ABCDEFGHJK" }),
		organizationId: z.string(),
		name: z.string(),
		description: z.string().nullable(),
		price: z.number().meta({ example: 199.99 }),
		sku: z.string(),
		inventory: z.number().int().nullable().describe("Units in stock; null when stock is not tracked"),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Product" });
export type Product = z.infer<typeof productSchema>;

const fields = {
	name: z.string().trim().min(1).max(200),
	description: z.string().max(5000),
	price: money(),
	sku: z
		.string()
		.trim()
		.min(1)
		.max(100)
		.regex(/^[\x21-\x7e]+$/, "Printable ASCII without spaces"),
	inventory: z.number().int("Must be a whole number").min(0, "Must be zero or more").max(1_000_000_000),
};

export const createProductBody = z
	.strictObject({
		name: fields.name,
		description: fields.description.optional(),
		price: fields.price,
		sku: fields.sku,
		inventory: fields.inventory.optional().describe("Omit to leave stock untracked"),
	})
	.meta({ id: "CreateProduct" });

/** Partial update: absent fields stay; `null` clears `description` or stops tracking `inventory`. */
export const updateProductBody = z
	.strictObject({
		name: fields.name.optional(),
		description: fields.description.nullable().optional(),
		price: fields.price.optional(),
		sku: fields.sku.optional(),
		inventory: fields.inventory.nullable().optional(),
	})
	.meta({ id: "UpdateProduct" });
