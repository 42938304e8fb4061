/** The contract of `GET /consumer/v1/checkout/{distributionId}`: a consumer holding a live grant is sent to the merchant's checkout. */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { empty, errors, SECURITY } from "../../http/openapi";
import { checkoutIdentify } from "./identify";

export const checkout = createRoute({
	method: "get",
	path: "/{distributionId}",
	tags: ["Consumer: checkout"],
	summary: "Redirect (302) to the merchant's checkout with the consumer's live grant",
	description:
		"From a plain link, identify the consumer by its grant: `?key=pk_…&grant=<admissionToken>` (what the SDK's `checkoutUrl` builds) — no access token in the URL. `Authorization: Bearer` works too.",
	security: SECURITY.consumer,
	middleware: [checkoutIdentify],
	request: {
		params: z.object({ distributionId: z.string().min(1) }),
		query: z.object({
			grant: z.string().max(4096).optional().describe("The consumer's admission token for this distribution"),
		}),
	},
	responses: { 302: empty(), ...errors({ 404: "Distribution not found", 409: "No admission / No checkout URL" }) },
});
