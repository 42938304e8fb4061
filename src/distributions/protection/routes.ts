/** The contracts of `/consumer/v1/challenges`: what a request to one distribution must carry, for one purpose. */
import { createRoute } from "@hono/zod-openapi";
import { consumerTokenAuth } from "../../http/middleware/consumer-auth";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { BASE_BITS, MAX_BITS } from "./pow";
import { challengeRequest, challengeSchema, guestChallengeRequest } from "./schema";

const TURNSTILE =
	'For a `turnstile` sequence the answer is `{type: "turnstile", siteKey, action}`: render Cloudflare\'s widget with ' +
	"that site key (and `data-action`), and send its token as `X-Turnstile-Token` (each token works once, for 300 s). " +
	"Our hosted pages do not render the widget: a Turnstile launch needs the merchant's own page (README, Bot protection).";

export const issue = createRoute({
	method: "post",
	path: "/",
	tags: ["Consumer"],
	summary: "Get the challenge a queue, draw or auction's sequence asks for: proof-of-work, or Turnstile's site key",
	description:
		"Proof-of-work: bound to the distribution, the purpose and this consumer; valid five minutes; accepted once. Find decimal " +
		"digits `nonce` (at most 16) so SHA-256(challenge ‖ nonce), over the UTF-8 bytes, starts with `bits` zero bits, " +
		"then send `X-Challenge: <challenge>` and `X-Challenge-Nonce: <nonce>` on queue enter, draw enter, a bid or " +
		`buy-now. bits = min(${MAX_BITS}, ${BASE_BITS} + ceil(log2(max(1, arrivalsPerMinute / 60)))), arrivals being the ` +
		`challenges spent on this distribution in the last minute. The SDK does all of this itself. ${TURNSTILE}`,
	security: SECURITY.consumer,
	middleware: [consumerTokenAuth],
	request: { body: jsonBody(challengeRequest) },
	responses: {
		201: json(challengeSchema),
		...errors({
			404: "Queue not found / Draw not found / Auction not found",
			409: "No challenge needed",
			503: "Turnstile unavailable (the organization has no Turnstile settings)",
		}),
	},
});

export const issueGuest = createRoute({
	method: "post",
	path: "/guest",
	tags: ["Consumer"],
	summary: "Get the challenge a guest sign-up naming this distribution must carry",
	description:
		"Before a consumer exists: a proof-of-work challenge bound to the distribution and the purpose `guest` " +
		"(send it on POST /consumer/v1/auth/guest with `{distributionId}`), or the Turnstile site key with action `guest`. " +
		TURNSTILE,
	security: SECURITY.publishable,
	request: { body: jsonBody(guestChallengeRequest) },
	responses: {
		201: json(challengeSchema),
		...errors(
			{
				404: "Queue not found / Draw not found / Auction not found",
				409: "No challenge needed",
				503: "Turnstile unavailable (the organization has no Turnstile settings)",
			},
			"publishable",
		),
	},
});
