/** What the shopper's auth route does: a guest consumer and its access token. */
import type { ConsumerEnv } from "../../http/env";
import type { AppRouteHandler } from "../../http/router";
import { issueAccessToken } from "./access-tokens";
import { createGuestConsumer } from "./repo";
import type * as routes from "./shopper-routes";

export const guest: AppRouteHandler<typeof routes.guest, ConsumerEnv> = async (c) => {
	const { organizationId } = c.get("tenant");
	const id = await createGuestConsumer(c.env.DB, organizationId);
	return c.json(await issueAccessToken(c.env.JWT_SIGNING_KEY, organizationId, id), 201);
};
