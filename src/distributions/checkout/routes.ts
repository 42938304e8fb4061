/** The contract of `GET /consumer/v1/checkout/{distributionId}`: a consumer holding a live grant is sent to the merchant's checkout. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { empty, errors, SECURITY } from "../../http/openapi";

export const checkout = createRoute({
	method: "get",
	path: "/{distributionId}",
	tags: ["Consumer: checkout"],
	summary: "Redirect (302) to the merchant's checkout with the consumer's live grant",
	description: "Browsers may pass the credentials as `?key=pk_…&token=…`.",
	security: SECURITY.consumer,
	middleware: [consumerTokenAuth],
	request: { params: z.object({ distributionId: z.string().min(1) }) },
	responses: { 302: empty(), ...errors({ 404: "Distribution not found", 409: "No admission / No checkout URL" }) },
});
