/** Composes the Hono app: global middleware, one error shape, and every resource router. */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env";
import { notFoundHandler, onError } from "./lib/errors";
import { newId } from "./lib/ids";
import { jsonOnly, limitBody } from "./middleware/body";
import { admissionRoutes } from "./routes/admissions";
import { apiKeyRoutes } from "./routes/api-keys";
import { auctionAdminRoutes } from "./routes/auction-admin";
import { consumerRoutes as shopperRoutes } from "./routes/consumer";
import { consumerRoutes } from "./routes/consumers";
import { distributionRoutes } from "./routes/distributions";
import { drawAdminRoutes } from "./routes/draw-admin";
import { eventRoutes } from "./routes/events";
import { experienceRoutes } from "./routes/experiences";
import { mountMeta } from "./routes/meta";
import { orderRoutes } from "./routes/orders";
import { platformRoutes } from "./routes/platform";
import { productRoutes } from "./routes/products";
import { queueAdminRoutes } from "./routes/queue-admin";
import { sequenceRoutes } from "./routes/sequences";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";

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
