/**
 * The auction keeps its `state` row in memory (store.ts): a save rolled back with its transaction
 * must not survive there, and what a caller gets is a copy whose nested records cannot be changed
 * behind the store's back.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AuctionObject } from "../../../src/distributions/auction/object";
import type { AuctionStore, Chain } from "../../../src/distributions/auction/store";
import { newId } from "../../../src/lib/ids";

type Inside = {
	store: AuctionStore;
	atomically<T>(fn: () => T): T;
	pseudonym(consumerId: string, chain?: Chain): string;
	pseudonymKey: unknown;
};

describe("the auction's state in memory", () => {
	it("forgets a save rolled back with its transaction, and hands out copies it cannot be changed through", async () => {
		const stub = env.AUCTION_OBJECT.getByName(newId("auction"));
		await runInDurableObject(stub, (instance: AuctionObject, state) => {
			const { store, atomically } = instance as unknown as Inside;
			const stored = store.load();
			store.save({ ...stored, extendedMs: 5_000 });
			expect(() =>
				atomically.call(instance, () => {
					store.save({ ...store.load(), extendedMs: 9_000 });
					throw new Error("rolled back");
				}),
			).toThrow("rolled back");
			expect(store.load().extendedMs).toBe(5_000);
			const row = state.storage.sql.exec<{ json: string }>("SELECT json FROM state").one();
			expect(JSON.parse(row.json).extendedMs).toBe(5_000);
			// A top-level change of a loaded copy stays in the copy; a nested one is refused.
			const copy = store.load();
			copy.extendedMs = 1;
			expect(store.load().extendedMs).toBe(5_000);
			expect(() => {
				copy.bidding.price = 1;
			}).toThrow(TypeError);
			expect(store.load().bidding.price).toBe(0);
		});
	});

	it("a first bid rolled back takes its chain's pseudonym key with it", async () => {
		const stub = env.AUCTION_OBJECT.getByName(newId("auction"));
		await runInDurableObject(stub, (instance: AuctionObject) => {
			const inside = instance as unknown as Inside;
			// The chain a first bid starts (and names its bidders under) until its change commits.
			const chain = { hash: "00".repeat(32), reserveSalt: "11".repeat(16), pseudonymKey: "22".repeat(32) } as Chain;
			expect(() =>
				inside.atomically.call(instance, () => {
					inside.pseudonym.call(instance, "con_first", chain);
					throw new Error("rolled back");
				}),
			).toThrow("rolled back");
			// Kept, the next first bid's bidders would be named under this key, not its own chain's.
			expect(inside.pseudonymKey).toBeNull();
		});
	});
});
