/** The contract of `/consumer/v1/challenges`: a proof-of-work challenge for one distribution and purpose. */
import { createRoute } from "@hono/zod-openapi";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { BASE_BITS, MAX_BITS } from "./pow";
import { challengeRequest, challengeSchema } from "./schema";

export const issue = createRoute({
	method: "post",
	path: "/",
	tags: ["Consumer"],
	summary: "Get a proof-of-work challenge for a queue, draw or auction whose sequence asks for one",
	description:
		"Bound to the distribution, the purpose and this consumer; valid five minutes; accepted once. Find decimal " +
		"digits `nonce` (at most 16) so SHA-256(challenge ‖ nonce), over the UTF-8 bytes, starts with `bits` zero bits, " +
		"then send `X-Challenge: <challenge>` and `X-Challenge-Nonce: <nonce>` on queue enter, draw enter, a bid or " +
		`buy-now. bits = min(${MAX_BITS}, ${BASE_BITS} + ceil(log2(max(1, arrivalsPerMinute / 60)))), arrivals being the ` +
		"challenges spent on this distribution in the last minute. The SDK does all of this itself.",
	security: SECURITY.consumer,
	middleware: [consumerTokenAuth],
	request: { body: jsonBody(challengeRequest) },
	responses: {
		201: json(challengeSchema),
		...errors({ 404: "Queue not found / Draw not found / Auction not found", 409: "No challenge needed" }),
	},
});
