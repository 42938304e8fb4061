/** The contract of the merchant's view of one auction's bids, beside the auction CRUD (`/api/v1/auctions`). */
import { createRoute } from "@hono/zod-openapi";
import { errors, json, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { auctionBidSchema } from "./schema";

export const bids = createRoute({
	method: "get",
	path: "/{id}/bids",
	tags: ["Auctions"],
	summary: "Every accepted bid and proxy step, newest first, with consumer ids (maxima once settled)",
	description:
		"Amounts placed and proxy steps are shown at once. Bidders' maxima and the entries' hashes stay sealed until the auction is SETTLED, from the merchant as from everyone: `maxAmount` and `hash` are null before.",
	security: SECURITY.secret,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(auctionBidSchema)), ...errors({ 404: "Auction not found" }) },
});
