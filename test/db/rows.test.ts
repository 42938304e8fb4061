/**
 * src/db/rows.ts: the rows it writes and reads without drizzle's builder and mapper are the rows
 * drizzle itself reads back (JSON, nulls, integers), and D1's constraint errors still reach
 * `isUniqueViolation`.
 */

import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "../../src/db/client";
import { isUniqueViolation } from "../../src/db/errors";
import { decodeRow, insertRow, tenantRows } from "../../src/db/rows";
import { products, sequences } from "../../src/db/schema";
import { tenant } from "../support/helpers";

describe("insertRow", () => {
	it("returns the row as drizzle reads it back: text, integers and nulls (products)", async () => {
		const t = await tenant();
		const values = {
			id: `prod_rows_${crypto.randomUUID()}`,
			organizationId: t.organizationId,
			name: "Row",
			description: null,
			price: 1999,
			sku: `SKU-${crypto.randomUUID()}`,
			inventory: null,
			createdAt: 1_700_000_000_123,
			updatedAt: 1_700_000_000_456,
		};
		const row = await insertRow(db(env.DB), products, values);
		expect(row).toEqual(values);
		expect(await db(env.DB).select().from(products).where(eq(products.id, values.id)).get()).toEqual(row);
	});

	it("encodes and decodes JSON columns with the column's own mapping (sequences)", async () => {
		const t = await tenant();
		const values = {
			id: `seq_rows_${crypto.randomUUID()}`,
			organizationId: t.organizationId,
			experienceId: t.experienceId,
			name: "JSON",
			priority: 7,
			productId: null,
			checkoutUrl: "https://shop.example/checkout",
			metadata: { drop: "spring", n: 3, nested: { ok: true } },
			access: "codes" as const,
			protection: { challenge: "pow" as const, onFailure: "refuse" as const },
			createdAt: 1,
			updatedAt: 2,
		};
		const row = await insertRow(db(env.DB), sequences, values);
		expect(row).toEqual(values);
		const stored = await env.DB.prepare("SELECT metadata, protection FROM sequences WHERE id = ?")
			.bind(values.id)
			.first();
		expect(JSON.parse(stored?.metadata as string)).toEqual(values.metadata);
		expect(
			decodeRow(
				sequences,
				(await env.DB.prepare("SELECT * FROM sequences WHERE id = ?").bind(values.id).first()) ?? {},
			),
		).toEqual(await db(env.DB).select().from(sequences).where(eq(sequences.id, values.id)).get());
	});

	it("a unique violation is D1's error, recognised by isUniqueViolation; nothing is stored", async () => {
		const t = await tenant();
		const base = {
			organizationId: t.organizationId,
			name: "Dup",
			description: null,
			price: 1,
			sku: `DUP-${crypto.randomUUID()}`,
			inventory: 1,
			createdAt: 1,
			updatedAt: 1,
		};
		await insertRow(db(env.DB), products, { ...base, id: `prod_a_${crypto.randomUUID()}` });
		const second = `prod_b_${crypto.randomUUID()}`;
		const err = await insertRow(db(env.DB), products, { ...base, id: second }).catch((e) => e);
		expect(isUniqueViolation(err, "sku")).toBe(true);
		expect(await db(env.DB).select().from(products).where(eq(products.id, second)).get()).toBeUndefined();
	});
});

describe("tenantRows", () => {
	it("reads a tenant's row by id, never another tenant's; pages newest first below a cursor id", async () => {
		const [a, b] = [await tenant(), await tenant()];
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const id = `prod_tr_${i}_${crypto.randomUUID()}`;
			ids.push(id);
			await insertRow(db(env.DB), products, {
				id,
				organizationId: a.organizationId,
				name: `P${i}`,
				description: `d${i}`,
				price: i,
				sku: `TR-${i}-${crypto.randomUUID()}`,
				inventory: i,
				createdAt: i,
				updatedAt: i,
			});
		}
		const [one] = await tenantRows(db(env.DB), products, a.organizationId, { id: ids[2] });
		expect(one).toEqual(await db(env.DB).select().from(products).where(eq(products.id, ids[2])).get());
		expect(await tenantRows(db(env.DB), products, b.organizationId, { id: ids[2] })).toEqual([]);
		const newest = [...ids].sort().reverse();
		const first = await tenantRows(db(env.DB), products, a.organizationId, { limit: 2 });
		expect(first.map((r) => r.id)).toEqual(newest.slice(0, 2));
		const next = await tenantRows(db(env.DB), products, a.organizationId, { before: first[1].id, limit: 10 });
		expect(next.map((r) => r.id)).toEqual(newest.slice(2));
		expect(await tenantRows(db(env.DB), products, b.organizationId, { limit: 10 })).toEqual([]);
	});
});
