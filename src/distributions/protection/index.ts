/**
 * Bot protection: the sequence's `protection` setting, proof-of-work challenges for shoppers
 * (`/consumer/v1/challenges`), and the gate every protected enter path calls next to the access gate.
 */
import type { ConsumerEnv } from "../../http/env";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

export { requireChallenge } from "./gate";
export { protectionInput, protectionSchema } from "./schema";

export const challengeRoutes = createRouter<ConsumerEnv>().openapi(routes.issue, handlers.issue);
