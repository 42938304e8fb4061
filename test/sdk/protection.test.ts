/**
 * The SDK on protected launches: enter, draw enter, bid, buy-now and a guest sign-up naming a
 * distribution ask for, answer and send the challenge on their own — proof-of-work solved
 * in-process, Turnstile through the page's `turnstileToken` callback — and a back-of-line place
 * is answered and moved to the front.
 */
import { describe, expect, it } from "vitest";
import { FanfareError } from "../../src/sdk";
import { consumerWith, sdkTenant } from "../support/sdk";
import { iso } from "../support/time";
import { mint, realSecret, setTurnstile } from "../support/turnstile";

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

describe("Turnstile and back-of-line through the SDK", () => {
	it("asks the page for a token with the site key and action, once per protected call that needs one", async () => {
		const t = await sdkTenant();
		const secret = realSecret();
		await setTurnstile(t, secret);
		await t.admin.sequences.update(t.sequenceId, { protection: { challenge: "turnstile" } } as never);
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000) });
		const asked: { siteKey: string; action: string; distributionId: string }[] = [];
		const shopper = consumerWith(t, {
			turnstileToken: async (widget) => {
				asked.push(widget);
				return mint(secret, { action: widget.action });
			},
		});
		await shopper.auth.guest({ distributionId: queue.id });
		expect((await shopper.queues.enter(queue.id)).status).toBe("QUEUED");
		expect(asked.map((w) => w.action)).toEqual(["guest", "enter"]);
		expect(asked[0]).toMatchObject({ siteKey: "1x00000000000000000000AA", distributionId: queue.id });
		// Without the callback, the refusal reaches the caller.
		const bare = consumerWith(t);
		await bare.auth.guest();
		const refused = await bare.queues.enter(queue.id).catch((e) => e);
		expect(refused).toBeInstanceOf(FanfareError);
		expect(refused.title).toBe("Turnstile token required");
	});

	it("a back-of-line place is answered at once: the SDK solves the challenge and enters again, in the front lane", async () => {
		const t = await sdkTenant();
		await t.admin.sequences.update(t.sequenceId, {
			protection: { challenge: "pow", onFailure: "back-of-line" },
		} as never);
		const queue = await t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000) });
		const shopper = t.consumer();
		await shopper.auth.guest({ distributionId: queue.id });
		const state = await shopper.queues.enter(queue.id);
		expect(state).toMatchObject({ status: "QUEUED", position: 1 });
		expect(state.backOfLine).toBeUndefined();
	});
});
