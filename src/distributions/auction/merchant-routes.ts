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
	summary: "Every accepted bid and proxy step, newest first, with consumer ids and maxima",
	security: SECURITY.secret,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(auctionBidSchema)), ...errors({ 404: "Auction not found" }) },
});
