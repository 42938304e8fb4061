/**
 * Composes the app: global middleware, the one error handler, and every resource router,
 * under the three surfaces (`/api/v1` merchants, `/consumer/v1` shoppers, `/platform/v1`
 * the operator). The OpenAPI document is built from the same route contracts (meta.ts).
 */
import { requestId } from "hono/request-id";
import { consumerAuthRoutes, consumerRoutes } from "../catalog/consumers";
import { orderRoutes } from "../catalog/orders";
import { productRoutes } from "../catalog/products";
import { admissionRoutes } from "../distributions/admissions";
import { auctionAdminRoutes, auctionShopperRoutes } from "../distributions/auction";
import { checkoutRoutes } from "../distributions/checkout";
import { drawAdminRoutes, drawShopperRoutes } from "../distributions/draw";
import { challengeRoutes } from "../distributions/protection";
import { organizationRoutes } from "../distributions/protection/turnstile";
import { queueAdminRoutes, queueShopperRoutes } from "../distributions/queue";
import { eventRoutes } from "../events";
import { webhookEndpointRoutes } from "../events/webhooks";
import { experienceRoutes } from "../experiences/experiences";
import { sequenceRoutes } from "../experiences/sequences";
import { newId } from "../lib/ids";
import { consoleRoutes } from "../pages/console";
import { shopperPages } from "../pages/shopper";
import { apiKeyRoutes } from "../platform/api-keys";
import { platformRoutes } from "../platform/organizations";
import type { ConsumerEnv } from "./env";
import { mountMeta } from "./meta";
import { jsonOnly, limitBody } from "./middleware/body";
import { publishableKeyAuth } from "./middleware/consumer-auth";
import { openCors } from "./middleware/cors";
import { notFoundHandler, onError } from "./problems";
import { createRouter } from "./router";

/** Merchant resources under `/api/v1`. */
const api = createRouter()
	.route("/api-keys", apiKeyRoutes)
	.route("/products", productRoutes)
	.route("/consumers", consumerRoutes)
	.route("/orders", orderRoutes)
	.route("/experiences", experienceRoutes)
	.route("/sequences", sequenceRoutes)
	.route("/queues", queueAdminRoutes)
	.route("/draws", drawAdminRoutes)
	.route("/auctions", auctionAdminRoutes)
	.route("/events", eventRoutes)
	.route("/admissions", admissionRoutes)
	.route("/webhook-endpoints", webhookEndpointRoutes)
	.route("/organization", organizationRoutes);

/** The spec's unversioned catalog paths (`/api/products`, …) serve the same handlers. */
const specApi = createRouter()
	.route("/products", productRoutes)
	.route("/consumers", consumerRoutes)
	.route("/orders", orderRoutes);

/** `/consumer/v1`: what shoppers' browsers call, with the merchant's publishable key. CORS is open. */
const shopper = createRouter<ConsumerEnv>();
shopper.use(openCors, publishableKeyAuth);
shopper
	.route("/auth", consumerAuthRoutes)
	.route("/challenges", challengeRoutes)
	.route("/queues", queueShopperRoutes)
	.route("/draws", drawShopperRoutes)
	.route("/auctions", auctionShopperRoutes)
	.route("/checkout", checkoutRoutes);

const app = createRouter();
app.use(requestId({ headerName: "X-Request-Id", generator: () => newId("req") }));
// The merchant console takes form posts (not JSON) and answers pages: mounted before the API body rules.
app.route("/console", consoleRoutes);
app.use(limitBody, jsonOnly);
// Hosted pages (HTML, their own CSP); outside the OpenAPI document.
app.route("/", shopperPages);
app.route("/platform/v1", platformRoutes).route("/consumer/v1", shopper).route("/api/v1", api).route("/api", specApi);
app.onError(onError);
app.notFound(notFoundHandler);
mountMeta(app);

export type AppType = typeof app;
export default app;
