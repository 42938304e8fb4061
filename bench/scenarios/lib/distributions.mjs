/** OPEN draws and auctions of an organization `o` (setupOrg), created through the admin API. */
import { iso } from "../../lib/api.mjs";

/**
 * Creates a `type` distribution opened a second ago (a create refuses a time more than a
 * minute back) and checks it is OPEN; its consumer base path and headers.
 */
async function createOpen(ctx, o, type, settings) {
	const now = Date.now();
	const body = { sequenceId: o.sequenceId, openAt: iso(now - 1000), closeAt: iso(now + 3_600_000) };
	const created = (
		await ctx.api("POST", `/api/v1/${type}s`, { token: o.sk, body: { ...body, ...settings(now) }, expect: 201 })
	).json;
	if (created.status !== "OPEN") throw new Error(`the bench ${type} is ${created.status}, expected OPEN`);
	return { id: created.id, headers: o.headers, base: `/consumer/v1/${type}s/${created.id}` };
}

/** An OPEN draw (closeAt +1 h, drawAt +2 h, no maxEntries). */
export async function openDraw(ctx, o, { winnerCount = 10_000 } = {}) {
	const draw = await createOpen(ctx, o, "draw", (now) => ({ drawAt: iso(now + 7_200_000), winnerCount }));
	return { ...draw, winnerCount };
}

/** An OPEN auction (no reserve, buy-now or soft close), settling in 1 h. */
export async function openAuction(ctx, o, { startingBid = 1, minimumIncrement = 1 } = {}) {
	return createOpen(ctx, o, "auction", (now) => ({ settleAt: iso(now + 3_600_000), startingBid, minimumIncrement }));
}
