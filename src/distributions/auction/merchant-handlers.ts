/** What the merchant's auction route does: ownership checked in D1, then the auction's object. */
import type { AppRouteHandler } from "../../http/router";
import { objectPage } from "../../lib/pagination";
import { ownedEngine } from "../common/service";
import type * as routes from "./merchant-routes";

export const bids: AppRouteHandler<typeof routes.bids> = async (c) => {
	const { row, ref } = await ownedEngine(c.env, c.get("tenant"), "auction", c.req.valid("param").id);
	const fetchRows = (before: number | null, n: number) => ref.bids(n, before);
	return c.json(await objectPage(c.env.APP_SECRET, `auction-bids|${row.id}`, c.req.valid("query"), fetchRows), 200);
};
