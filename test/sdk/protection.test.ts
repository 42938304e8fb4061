/** The SDK on proof-of-work launches: enter, draw enter, bid and buy-now ask for, solve and send a challenge on their own. */
import { describe, expect, it } from "vitest";
import { sdkTenant } from "../support/sdk";
import { iso } from "../support/time";

describe("proof-of-work through the SDK", () => {
	it("queue enter, draw enter, a bid and buy-now solve the challenge themselves (in-process in workerd)", async () => {
		const t = await sdkTenant();
		await t.admin.sequences.update(t.sequenceId, { protection: { challenge: "pow" } } as never);
		const now = Date.now();
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(now - 1000) });
		const draw = await t.admin.draws.create({
			sequenceId: t.sequenceId,
			openAt: iso(now - 1000),
			closeAt: iso(now + 60_000),
			drawAt: iso(now + 61_000),
			winnerCount: 1,
		});
		const auction = await t.admin.auctions.create({
			sequenceId: t.sequenceId,
			openAt: iso(now - 1000),
			closeAt: iso(now + 60_000),
			settleAt: iso(now + 60_000),
			startingBid: 10,
			minimumIncrement: 1,
			buyNowPrice: 100,
		});
		const shopper = t.consumer();
		await shopper.auth.guest();
		expect((await shopper.queues.enter(queue.id)).status).toBe("QUEUED");
		expect((await shopper.draws.enter(draw.id)).status).toBe("ENTERED");
		expect((await shopper.auctions.bid(auction.id, { amount: 10 })).consumerId).toBeDefined();
		// A later bid needs no challenge; buy-now by the same bidder neither.
		expect((await shopper.auctions.bid(auction.id, { amount: 20 })).consumerId).toBeDefined();
		expect((await shopper.auctions.buyNow(auction.id)).consumerId).toBeDefined();
	});
});
