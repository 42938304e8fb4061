/** The SDK on `codes` launches: `accessCode` in the options of queue and draw enter, buy-now and a bid's params; the admin sets `access`. */
import { describe, expect, it } from "vitest";
import { FanfareError } from "../../src/sdk";
import { createCodes } from "../support/access";
import { sdkTenant } from "../support/sdk";
import { iso } from "../support/time";

describe("access codes through the SDK", () => {
	it("enter, bid and buy-now send the code; without one the SDK surfaces the 403", async () => {
		const t = await sdkTenant();
		const updated = await t.admin.sequences.update(t.sequenceId, { access: "codes" });
		expect(updated.access).toBe("codes");
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
		const [a, b, c] = (await createCodes(t, { count: 3 })).data;

		const shopper = t.consumer();
		await shopper.auth.guest();
		const refused = await shopper.queues.enter(queue.id).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(FanfareError);
		expect((refused as FanfareError).status).toBe(403);
		expect((refused as FanfareError).title).toBe("Access code required");
		expect((await shopper.queues.enter(queue.id, { accessCode: a.code })).status).toBe("QUEUED");

		const drawer = t.consumer();
		await drawer.auth.guest();
		expect((await drawer.draws.enter(draw.id, { accessCode: b.code })).status).toBe("ENTERED");

		const bidder = t.consumer();
		await bidder.auth.guest();
		expect((await bidder.auctions.bid(auction.id, { amount: 10, accessCode: c.code })).consumerId).toBeDefined();
		expect((await bidder.auctions.buyNow(auction.id)).consumerId).toBeDefined();
	});
});
