/**
 * Issue #15, auctions bidders can trust, against the running worker:
 * - every bid answer and every live `price` message carries a signed head {seq, headHash} whose
 *   EdDSA signature verifies with /.well-known/jwks.json, and which lies on the published chain;
 * - the log is readable while OPEN: amounts, pseudonyms and commitments, no maximum, salt or reserve;
 *   once SETTLED the reveal verifies;
 * - a merchant PUT of closeAt while OPEN is a "times" entry and the log still verifies (open and settled);
 *   a soft-close extension is one too, replayed by the verifier;
 * - (f) a log rewritten inside the object (an amount changed, every hash re-chained) verifies on its
 *   own, and fails against any head a bidder holds — so the rewrite is provable.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type AuctionLog, verifyAuction } from "../../../src/distributions/auction/verify";
import { type AuctionHead, checkAuctionLog, verifyHeadToken } from "../../../src/sdk/auction-log";
import { bid, closeSoon, logOf, openAuction, rewriteAuctionLog, waitLog } from "../../support/auction";
import { putDistribution } from "../../support/distributions";
import { BASE, call, guests, type Tenant, tenant } from "../../support/helpers";
import { closeLive, connect, ofType } from "../../support/live";

afterEach(closeLive);

const jwks = async () => (await call("/.well-known/jwks.json")).json;
const openLog = async (t: Tenant, id: string) => (await logOf(t, id)).json as AuctionLog;

/** A head checked: its signature verifies with the JWKS, it names this auction, and the log has exactly that hash at that seq. */
async function expectSignedOnChain(head: AuctionHead, auctionId: string, log: AuctionLog) {
	expect(await verifyHeadToken(head.token, await jwks())).toEqual({
		auctionId,
		seq: head.seq,
		headHash: head.headHash,
	});
	expect(log.entries[head.seq - 1]?.hash).toBe(head.headHash);
}

describe("signed heads", () => {
	it("every bid answer and every live price message carries a head that verifies against the JWKS", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const [alice, bob] = await guests(t, 2);
		const live = await connect(
			`${BASE}/consumer/v1/auctions/${a.id}/live?${new URLSearchParams({ key: t.publishableKey })}`,
		);
		expect(await live.next(ofType("price"))).toMatchObject({ head: null });

		const one = await bid(t, a.id, alice, 12, 30);
		const two = await bid(t, a.id, bob, 20);
		expect([one.status, two.status]).toEqual([200, 200]);
		// alice's bid is entry 1; bob's is 2 and alice's proxy step 3.
		expect(one.json.head).toMatchObject({ seq: 1 });
		expect(two.json.head).toMatchObject({ seq: 3 });
		const prices = [await live.next(ofType("price")), await live.next(ofType("price"))];
		expect(prices.map((m) => (m as { head: AuctionHead }).head.seq)).toEqual([1, 3]);

		const log = await openLog(t, a.id);
		for (const head of [one.json.head, two.json.head, ...prices.map((m) => (m as { head: AuctionHead }).head)]) {
			await expectSignedOnChain(head, a.id, log);
		}
		// The log's own head, the public state's and the status's are the latest one.
		expect(log.head).toEqual(two.json.head);
		expect(
			(await call(`/consumer/v1/auctions/${a.id}`, { headers: { "X-Publishable-Key": t.publishableKey } })).json.head,
		).toEqual(two.json.head);
		// A head signed by another key proves nothing.
		const forged = `${two.json.head.token.slice(0, -4)}AAAA`;
		expect(await verifyHeadToken(forged, await jwks())).toBeNull();
		expect((await checkAuctionLog(log, { heads: [forged], jwks: await jwks() })).ok).toBe(false);
	});
});

describe("the log while open, time changes, and the reveal", () => {
	it("open: commitments, no maxima; a merchant's closeAt and a soft-close extension are entries; settled: it all verifies", async () => {
		const t = await tenant();
		// Closes in 20 s, soft close 60 s: every leader change extends.
		const a = await openAuction(
			t,
			{ startingBid: 10, minimumIncrement: 1, reservePrice: 15, softCloseSeconds: 60 },
			20_000,
		);
		const [alice, bob] = await guests(t, 2);
		const held: AuctionHead[] = [];
		const place = async (who: typeof alice, amount: number, max?: number) => {
			const res = await bid(t, a.id, who, amount, max);
			expect(res.status, res.text).toBe(200);
			held.push(res.json.head);
		};
		await place(alice, 12, 1000);
		await place(bob, 20);
		const later = new Date(Date.now() + 120_000).toISOString();
		const put = await putDistribution(t, "auction", a.id, { closeAt: later, settleAt: later });
		expect(put.status, put.text).toBe(200);
		await place(bob, 30, 2000);

		const open = await openLog(t, a.id);
		expect(open.status).toBe("OPEN");
		expect(open.entries.map((e) => `${e.kind}${e.cause ? `:${e.cause}` : ""}`)).toEqual([
			// alice's maximum reaches the reserve: the price jumps to it; she leads late, so closeAt moves.
			"bid",
			"proxy",
			"times:soft_close",
			"bid",
			"proxy",
			"times:merchant",
			// bob takes the lead, but the merchant's close is two minutes away: outside the soft close.
			"bid",
			"proxy",
		]);
		expect(open.entries[5]).toMatchObject({ closeAt: Date.parse(later), settleAt: Date.parse(later) });
		for (const e of open.entries) {
			expect(e).not.toHaveProperty("maxAmount");
			expect(e).not.toHaveProperty("salt");
			if (e.kind === "bid") expect(e.commitment).toMatch(/^[0-9a-f]{64}$/);
		}
		// No maximum anywhere (1,000 and 2,000 are 100000 and 200000 minor units), no reserve, no salt.
		const numbers = JSON.stringify(open).match(/(?<=[:,[])\d+(?=[,}\]])/g) ?? [];
		expect(numbers.filter((n) => n === "100000" || n === "200000")).toEqual([]);
		for (const key of ["reservePrice", "reserveSalt", "salt", "maxAmount"])
			expect(JSON.stringify(open)).not.toContain(`"${key}"`);
		expect(open.genesis?.rules).toMatchObject({ startingBid: 1000, minimumIncrement: 100, softCloseSeconds: 60 });
		expect(verifyAuction(open, held).problems).toEqual([]);
		expect((await checkAuctionLog(open, { heads: held, jwks: await jwks() })).problems).toEqual([]);

		await closeSoon(t, a.id);
		const settled = await waitLog(t, a.id);
		// The reveal: maxima and salts, the rules with the reserve and its salt; the heads from while it ran still hold.
		expect(settled.entries.filter((e) => e.kind === "bid").map((e) => e.maxAmount)).toEqual([100_000, 2000, 200_000]);
		expect(settled.rules).toMatchObject({ reservePrice: 1500, softCloseSeconds: 60 });
		expect(settled.entries.slice(0, open.entries.length).map((e) => e.hash)).toEqual(open.entries.map((e) => e.hash));
		expect(verifyAuction(settled, held).problems).toEqual([]);
		expect((await checkAuctionLog(settled, { heads: held, jwks: await jwks() })).problems).toEqual([]);
		expect(settled).toMatchObject({ finalPrice: 100_100, reserveMet: true });
		// A tampered reveal fails.
		const tampered = {
			...settled,
			entries: settled.entries.map((e) => (e.seq === 1 ? { ...e, maxAmount: 99_900 } : e)),
		};
		expect(verifyAuction(tampered).problems.join("\n")).toMatch(/does not match its commitment/);
		expect((await checkAuctionLog(tampered)).ok).toBe(false);
	});
});

describe("(f) a rewritten history is provable", () => {
	it("an amount rewritten and re-chained in the object verifies alone, and fails against any head a bidder holds", async () => {
		const t = await tenant();
		const a = await openAuction(t, { startingBid: 10, minimumIncrement: 1 });
		const [alice, bob, carol] = await guests(t, 3);
		const held: AuctionHead[] = [];
		for (const [who, amount, max] of [
			[alice, 12, 50],
			[bob, 20, undefined],
			[carol, 60, undefined],
		] as const) {
			const res = await bid(t, a.id, who, amount, max);
			expect(res.status, res.text).toBe(200);
			held.push(res.json.head);
		}
		await closeSoon(t, a.id);
		const honest = await waitLog(t, a.id);
		expect(verifyAuction(honest, held).problems).toEqual([]);

		// alice's first bid, 12, becomes 11: still above the start, so the rules alone cannot tell.
		await rewriteAuctionLog(a.id, 1, 1100);
		const rewritten = await waitLog(t, a.id);
		expect(rewritten.entries[0].amount).toBe(1100);
		expect(verifyAuction(rewritten).problems).toEqual([]);
		for (const head of held) {
			const v = verifyAuction(rewritten, [head]);
			expect(v.problems.join("\n"), `head ${head.seq}`).toMatch(/history was rewritten/);
			const sdk = await checkAuctionLog(rewritten, { heads: [head], jwks: await jwks() });
			expect(sdk.ok, `head ${head.seq}`).toBe(false);
		}
	});
});
