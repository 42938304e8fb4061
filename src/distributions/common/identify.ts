/**
 * Who is asking about an entry (a queue's place, a draw's or an auction's entry): the access
 * token's consumer, or — without a token — the holder of the ticket sent in the
 * distribution's `X-…-Ticket` header (or `?ticket=`, for WebSockets).
 */
import { createMiddleware } from "hono/factory";
import type { ConsumerEnv } from "../../http/env";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import type { Who } from "./tickets";

export type EntryEnv = ConsumerEnv & { Variables: { who: Who } };

export const identifyBy = (ticketHeader: string) =>
	createMiddleware<EntryEnv>(async (c, next) => {
		// Query parameters only when there is a query: polls send headers, and parsing the URL costs.
		const hasQuery = c.req.url.includes("?");
		const ticket = c.req.header(ticketHeader) ?? (hasQuery ? c.req.query("ticket") : undefined);
		const hasToken = c.req.header("Authorization") !== undefined || (hasQuery && c.req.query("token") !== undefined);
		if (ticket && !hasToken) {
			c.set("who", { ticket });
			return next();
		}
		// EntryEnv only adds `who`, so the consumer-token middleware runs on it as is.
		return consumerTokenAuth(c as never, async () => {
			// A ticket sent along with the token must be this consumer's own.
			c.set("who", ticket ? { consumerId: c.get("consumerId"), ticket } : { consumerId: c.get("consumerId") });
			await next();
		});
	});
