/** `/consumer/v1/checkout`: the contract bound to its handler (the shopper surface supplies the publishable key). */
import type { ConsumerEnv } from "../../http/env";
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

export const checkoutRoutes = createRouter<ConsumerEnv>().openapi(routes.checkout, handlers.checkout);
