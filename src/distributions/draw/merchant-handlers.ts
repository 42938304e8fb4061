/** What the merchant's draw routes do: ownership checked in D1, then the draw's object. */
import { stream } from "hono/streaming";
import type { z } from "zod";
import { conflict } from "../../http/problems";
import type { AppRouteHandler } from "../../http/router";
import { objectPage } from "../../lib/pagination";
import { toDistribution } from "../common/repo";
import type { DrawResponse } from "../common/schema";
import { ownedEngine, runDrawNow } from "../common/service";
import { statusAt } from "../common/status";
import type * as routes from "./merchant-routes";
import type { drawResultsSchema } from "./schema";

/** Entry ids per object call while exporting: the stream never holds more than this. */
const EXPORT_CHUNK = 5000;

export const entries: AppRouteHandler<typeof routes.entries> = async (c) => {
	const { row, ref } = await ownedEngine(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
	const fetchRows = (before: number | null, n: number) => ref.entries(n, before);
	return c.json(await objectPage(c.env.APP_SECRET, `draw-entries|${row.id}`, c.req.valid("query"), fetchRows), 200);
};

export const exportEntries: AppRouteHandler<typeof routes.exportEntries> = async (c) => {
	const { row, ref } = await ownedEngine(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
	let chunk = await ref.exportChunk(0, EXPORT_CHUNK);
	if (!chunk) throw conflict("Draw not closed", "Entries are sealed when the draw closes.");
	c.header("Content-Type", "application/json");
	return stream(c, async (out) => {
		await out.write(`{"drawId":${JSON.stringify(row.id)},"entryIds":[`);
		for (let first = true; chunk?.length; first = false) {
			await out.write((first ? "" : ",") + chunk.map((e) => JSON.stringify(e.entryId)).join(","));
			const last = chunk.at(-1)?.ordinal ?? 0;
			chunk = chunk.length < EXPORT_CHUNK ? null : await ref.exportChunk(last, EXPORT_CHUNK);
		}
		await out.write("]}");
	});
};

export const results: AppRouteHandler<typeof routes.results> = async (c) => {
	const { row, ref } = await ownedEngine(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
	const proof = await ref.proof(row.organizationId);
	// The entries in the draw at close (its log also holds the rules and every withdrawal).
	const entryCount = proof?.seal ? await ref.participantCount() : null;
	return c.json(
		{
			drawId: row.id,
			// The object's word: DRAWN is reached there first (then written through to D1).
			status: proof?.status ?? statusAt("draw", row, Date.now()),
			entryCount,
			winnerCount: row.winnerCount,
			// Only entries that won have a place in the results (WON, CLAIMED or EXPIRED).
			winners: (await ref.results()) as z.infer<typeof drawResultsSchema>["winners"],
		},
		200,
	);
};

export const run: AppRouteHandler<typeof routes.run> = async (c) => {
	const row = await runDrawNow(c.env, c.get("tenant"), c.req.valid("param").id);
	return c.json(toDistribution(row) as DrawResponse, 200);
};
