/** Merchant views and controls of one draw, mounted beside the draw CRUD (which supplies auth and limits). */
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { validator } from "hono-openapi";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { conflict } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { objectPage, pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { toDistribution } from "../common/repo";
import { drawSchema } from "../common/schema";
import { findOrThrow, runDrawNow } from "../common/service";
import { statusAt } from "../common/status";
import { drawEntrySchema, drawResultsSchema } from "./schema";

const tags = ["Draws"];
const errors = { 404: "Draw not found" };
const EXPORT_CHUNK = 5000;

export const drawAdminRoutes = new Hono<AppEnv>()
	.get(
		"/:id/entries",
		doc({ tags, summary: "The draw's entries, newest first", ok: [200, pageSchema(drawEntrySchema)], errors }),
		validator("param", idParam, onInvalid),
		validator("query", pageQuery, onInvalid),
		async (c) => {
			const row = await findOrThrow(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
			const ref = c.env.DRAW_OBJECT.getByName(row.id);
			const page = c.req.valid("query");
			return c.json(
				await objectPage(c.env.APP_SECRET, `draw-entries|${row.id}`, page, (before, n) => ref.entries(n, before)),
			);
		},
	)
	.get(
		"/:id/entries/export",
		doc({
			tags,
			summary: "Every sealed entry id in Merkle leaf order (no personal data), for the standalone verifier",
			description: 'Streams `{"drawId": …, "entryIds": […]}`. Available once the draw has closed.',
			ok: [200, null],
			errors: { ...errors, 409: "Draw not closed" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await findOrThrow(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
			const ref = c.env.DRAW_OBJECT.getByName(row.id);
			const first = await ref.exportChunk(-1, EXPORT_CHUNK);
			if (!first) throw conflict("Draw not closed", "Entries are sealed when the draw closes.");
			c.header("Content-Type", "application/json");
			return stream(c, async (out) => {
				await out.write(`{"drawId":${JSON.stringify(row.id)},"entryIds":[`);
				let chunk: string[] | null = first;
				for (let leaf = 0; chunk?.length; ) {
					await out.write((leaf ? "," : "") + chunk.map((id) => JSON.stringify(id)).join(","));
					leaf += chunk.length;
					chunk = chunk.length < EXPORT_CHUNK ? null : await ref.exportChunk(leaf - 1, EXPORT_CHUNK);
				}
				await out.write("]}");
			});
		},
	)
	.get(
		"/:id/results",
		doc({
			tags,
			summary: "Winners (best rank first), their claim state and backfills",
			ok: [200, drawResultsSchema],
			errors,
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await findOrThrow(c.env, c.get("tenant"), "draw", c.req.valid("param").id);
			const ref = c.env.DRAW_OBJECT.getByName(row.id);
			const proof = await ref.proof(row.organizationId);
			return c.json({
				drawId: row.id,
				status: statusAt("draw", row, Date.now()),
				entryCount: proof?.entryCount ?? null,
				winnerCount: row.winnerCount,
				winners: await ref.results(),
			});
		},
	)
	.post(
		"/:id/run",
		doc({
			tags,
			summary: "Draw now (only while CLOSED): drawAt becomes now",
			ok: [200, drawSchema],
			errors: { ...errors, 409: "Draw not closed" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => c.json(toDistribution(await runDrawNow(c.env, c.get("tenant"), c.req.valid("param").id))),
	);
