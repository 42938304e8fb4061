/** Merchant view of one auction's bids, mounted beside the auction CRUD (which supplies auth and limits). */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { onInvalid } from "../../http/validation";
import { objectPage, pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { findOrThrow } from "../common/service";
import { auctionBidSchema } from "./schema";

export const auctionAdminRoutes = new Hono<AppEnv>().get(
	"/:id/bids",
	doc({
		tags: ["Auctions"],
		summary: "Every accepted bid and proxy step, newest first, with consumer ids and maxima",
		ok: [200, pageSchema(auctionBidSchema)],
		errors: { 404: "Auction not found" },
	}),
	validator("param", idParam, onInvalid),
	validator("query", pageQuery, onInvalid),
	async (c) => {
		const row = await findOrThrow(c.env, c.get("tenant"), "auction", c.req.valid("param").id);
		const ref = c.env.AUCTION_OBJECT.getByName(row.id);
		const page = c.req.valid("query");
		return c.json(
			await objectPage(c.env.APP_SECRET, `auction-bids|${row.id}`, page, (before, n) => ref.bids(n, before)),
		);
	},
);
