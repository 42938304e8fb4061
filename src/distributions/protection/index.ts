/**
 * Bot protection: the sequence's `protection` setting, challenges for shoppers (`/consumer/v1/challenges`:
 * proof-of-work, or the organization's Turnstile site key), the organization's Turnstile settings
 * (`/api/v1/organization/turnstile`), and the gate every protected path calls next to the access gate.
 */
import type { ConsumerEnv } from "../../http/env";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

export { requireChallenge } from "./gate";
export { protectionInput, protectionSchema } from "./schema";

export const challengeRoutes = createRouter<ConsumerEnv>()
	.openapi(routes.issueGuest, handlers.issueGuest)
	.openapi(routes.issue, handlers.issue);
