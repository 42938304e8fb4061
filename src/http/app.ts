/** Composes the Hono app: global middleware, one error shape, and every resource router. */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { consumerRoutes } from "../catalog/consumers/routes";
import { orderRoutes } from "../catalog/orders/routes";
import { productRoutes } from "../catalog/products/routes";
import { admissionRoutes } from "../distributions/admissions/routes";
import { auctionAdminRoutes } from "../distributions/auction/merchant-routes";
import { distributionRoutes } from "../distributions/common/routes";
import { drawAdminRoutes } from "../distributions/draw/merchant-routes";
import { queueAdminRoutes } from "../distributions/queue/merchant-routes";
import { eventRoutes } from "../events/routes";
import { webhookEndpointRoutes } from "../events/webhooks/routes";
import { experienceRoutes } from "../experiences/experiences/routes";
import { sequenceRoutes } from "../experiences/sequences/routes";
import { newId } from "../lib/ids";
import { apiKeyRoutes } from "../platform/api-keys/routes";
import { platformRoutes } from "../platform/organizations/routes";
import type { AppEnv } from "./env";
import { mountMeta } from "./meta";
import { jsonOnly, limitBody } from "./middleware/body";
import { notFoundHandler, onError } from "./problems";
import { consumerRoutes as shopperRoutes } from "./shopper-api";

/** Merchant resources under `/api/v1`. */
const api = new Hono<AppEnv>()
	.route("/api-keys", apiKeyRoutes)
	.route("/products", productRoutes)
	.route("/consumers", consumerRoutes)
	.route("/orders", orderRoutes)
	.route("/experiences", experienceRoutes)
	.route("/sequences", sequenceRoutes)
	.route("/queues", distributionRoutes("queue").route("/", queueAdminRoutes))
	.route("/draws", distributionRoutes("draw").route("/", drawAdminRoutes))
	.route("/auctions", distributionRoutes("auction").route("/", auctionAdminRoutes))
	.route("/events", eventRoutes)
	.route("/admissions", admissionRoutes)
	.route("/webhook-endpoints", webhookEndpointRoutes);

/** The spec's unversioned catalog paths (`/api/products`, …) serve the same handlers. */
const specApi = new Hono<AppEnv>()
	.route("/products", productRoutes)
	.route("/consumers", consumerRoutes)
	.route("/orders", orderRoutes);

const app = new Hono<AppEnv>()
	.use(requestId({ headerName: "X-Request-Id", generator: () => newId("req") }))
	.use(limitBody, jsonOnly)
	.route("/platform/v1", platformRoutes)
	.route("/consumer/v1", shopperRoutes)
	.route("/api/v1", api)
	.route("/api", specApi);

app.onError(onError);
app.notFound(notFoundHandler);
mountMeta(app);

export type AppType = typeof app;
export default app;
