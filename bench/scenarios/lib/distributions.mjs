/** OPEN draws and auctions for the scenarios that need more than one (draw-scale, in-object). */
import { iso } from "../../lib/api.mjs";

/** An OPEN draw (openAt 1 min ago, closeAt +1 h, drawAt +2 h, no maxEntries) of the organization `o` (setupOrg). */
export async function openDraw(ctx, o, { winnerCount = 10_000 } = {}) {
	const now = Date.now();
	const draw = (
		await ctx.api("POST", "/api/v1/draws", {
			token: o.sk,
			body: {
				sequenceId: o.sequenceId,
				openAt: iso(now - 60_000),
				closeAt: iso(now + 3_600_000),
				drawAt: iso(now + 7_200_000),
				winnerCount,
			},
			expect: 201,
		})
	).json;
	if (draw.status !== "OPEN") throw new Error(`the bench draw is ${draw.status}, expected OPEN`);
	return { id: draw.id, headers: o.headers, base: `/consumer/v1/draws/${draw.id}`, winnerCount };
}

/** An OPEN auction (startingBid 1, minimumIncrement 1, no reserve, buy-now or soft close), settling in 1 h. */
export async function openAuction(ctx, o) {
	const now = Date.now();
	const auction = (
		await ctx.api("POST", "/api/v1/auctions", {
			token: o.sk,
			body: {
				sequenceId: o.sequenceId,
				openAt: iso(now - 60_000),
				closeAt: iso(now + 3_600_000),
				settleAt: iso(now + 3_600_000),
				startingBid: 1,
				minimumIncrement: 1,
			},
			expect: 201,
		})
	).json;
	if (auction.status !== "OPEN") throw new Error(`the bench auction is ${auction.status}, expected OPEN`);
	return { id: auction.id, headers: o.headers, base: `/consumer/v1/auctions/${auction.id}` };
}
