import { Hono } from "hono";
import { db } from "../../db/client";
import { consumers } from "../../db/schema";
import type { ConsumerEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { guestRateLimit } from "../../http/middleware/rate-limit";
import { newId } from "../../lib/ids";
import { issueAccessToken } from "./access-tokens";
import { accessTokenSchema } from "./shopper-schema";

export const consumerAuthRoutes = new Hono<ConsumerEnv>().post(
	"/guest",
	doc({
		tags: ["Consumer"],
		security: "publishable",
		summary: "Start a guest session: a new consumer and its access token",
		ok: [201, accessTokenSchema],
		errors: { 429: "Too many guest sessions from this address" },
	}),
	guestRateLimit,
	async (c) => {
		const { organizationId } = c.get("tenant");
		const now = Date.now();
		const id = newId("con");
		await db(c.env.DB)
			.insert(consumers)
			.values({ id, organizationId, email: null, fullName: null, phone: null, createdAt: now, updatedAt: now });
		return c.json(await issueAccessToken(c.env.JWT_SIGNING_KEY, organizationId, id), 201);
	},
);
