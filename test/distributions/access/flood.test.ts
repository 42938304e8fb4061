/**
 * The bot herder's flood from issue 16, against `verified` and `codes` launches: hundreds of
 * guest consumers minted at once, each trying every way in — no code, guessed codes, a code
 * already bound to a real shopper. Zero guest entries get in; the merchant's real shoppers do.
 */
import { describe, expect, it } from "vitest";
import { generateAccessCode } from "../../../src/distributions/access/rules";
import { createCodes, enterBy, enterWithCode, type Path, setAccess, vouched } from "../../support/access";
import { allBids, openAuction } from "../../support/auction";
import { allEntries, shortDraw } from "../../support/draw";
import { guests, launch, type Tenant, tenant } from "../../support/helpers";
import { openQueue, stats } from "../../support/queue";

const BOTS = 200;

async function launchesOf(t: Tenant) {
	return {
		queue: (await openQueue(t)).id,
		draw: (await shortDraw(t, {}, 120_000, 121_000)).id,
		bid: (await openAuction(t)).id,
	} as Record<Exclude<Path, "buy-now">, string>;
}

async function entriesIn(t: Tenant, ids: Record<Exclude<Path, "buy-now">, string>) {
	return {
		queue: (await stats(t, ids.queue)).queued,
		draw: (await allEntries(t, ids.draw)).length,
		bid: (await allBids(t, ids.bid)).length,
	};
}

describe("the guest flood", () => {
	it(`${BOTS} minted guests against a verified and a codes launch: zero get in, real shoppers do`, async () => {
		const t = await tenant();
		await setAccess(t, "verified");
		const verified = await launchesOf(t);
		const invite = await launch(t, {}, { access: "codes" });
		const codesTenant = { ...t, sequenceId: invite.sequenceId };
		const codes = await launchesOf(codesTenant);
		const issued = (await createCodes(codesTenant, { count: 5 })).data;

		// The merchant's own shoppers: two signed in on the merchant's site, two holding codes.
		const members = [await vouched(t), await vouched(t)];
		for (const m of members) expect((await enterBy(t, "queue", verified.queue, m)).status).toBe(200);
		const [invited, other] = await guests(t, 2);
		expect((await enterWithCode(t, "queue", codes.queue, invited, issued[0].code)).status).toBe(200);
		expect((await enterWithCode(t, "draw", codes.draw, other, issued[1].code)).status).toBe(200);

		const bots = await guests(t, BOTS);
		const statuses = new Map<number, number>();
		await Promise.all(
			bots.map(async (bot, n) => {
				const tries = [
					enterBy(t, "queue", verified.queue, bot),
					enterBy(t, "draw", verified.draw, bot),
					enterBy(t, "bid", verified.bid, bot),
					enterBy(t, "queue", codes.queue, bot),
					enterWithCode(t, "draw", codes.draw, bot, generateAccessCode()),
					// A code a real shopper redeemed (leaked, shared): bound to that shopper.
					enterWithCode(t, "bid", codes.bid, bot, issued[n % 2].code),
				];
				for (const res of await Promise.all(tries)) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
			}),
		);
		expect(Object.fromEntries(statuses)).toEqual({ 403: BOTS * 6 });
		expect(await entriesIn(t, verified)).toEqual({ queue: 2, draw: 0, bid: 0 });
		expect(await entriesIn(codesTenant, codes)).toEqual({ queue: 1, draw: 1, bid: 0 });
	}, 300_000);
});
