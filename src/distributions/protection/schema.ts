/** The one zod source of the protection module: the sequence's `protection` field and the challenge routes. */
import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { CHALLENGES, ON_FAILURE } from "./modes";
import { BASE_BITS, MAX_BITS } from "./pow";

export const protectionSchema = z
	.object({
		challenge: z
			.enum(CHALLENGES)
			.describe(
				"`none` (default): no challenge. `pow`: the shopper's client solves a proof-of-work challenge " +
					"(POST /consumer/v1/challenges; the SDK does it) and sends it on queue enter, draw enter, the first bid " +
					`or buy-now and a guest sign-up naming the distribution (X-Challenge and X-Challenge-Nonce headers); ${BASE_BITS}–${MAX_BITS} bits, rising with the arrival rate. ` +
					"`turnstile`: Cloudflare Turnstile with your organization's site key and secret (PUT /api/v1/organization/turnstile " +
					"first, else 409); the shopper's page renders the widget and sends its token as X-Turnstile-Token on the same requests.",
			),
		onFailure: z
			.enum(ON_FAILURE)
			.describe(
				"What a missing or failed challenge costs: `refuse` (default, 403). `back-of-line`: on queue enter only, the " +
					"consumer is accepted but queued behind every consumer who passed — admitted only when no consumer who " +
					"passed is waiting — and entering again with a passing challenge moves them to the back of the front line. " +
					"Draw enter, bids, buy-now and guest sign-up refuse either way.",
			),
	})
	.meta({ id: "Protection" });

/** On create and update: the object replaces the stored one, missing fields take their defaults. */
export const protectionInput = z
	.strictObject({
		challenge: z.enum(CHALLENGES).optional().describe("Default `none`"),
		onFailure: z.enum(ON_FAILURE).optional().describe("Default `refuse`"),
	})
	.meta({ id: "ProtectionInput" });

const distributionIdField = z.string().min(1).max(64).describe("The queue, draw or auction the challenge is for");

export const challengeRequest = z
	.strictObject({
		distributionId: distributionIdField,
		purpose: z.enum(["enter", "bid"]).describe("`enter` for queue and draw enter, `bid` for auction bids and buy-now"),
	})
	.meta({ id: "ChallengeRequest" });

export const guestChallengeRequest = z
	.strictObject({ distributionId: distributionIdField.describe("The distribution the guest sign-up names") })
	.meta({ id: "GuestChallengeRequest" });

const powChallenge = z
	.object({
		type: z.literal("pow"),
		challenge: z.string().describe("Send back as the X-Challenge header, with your nonce as X-Challenge-Nonce"),
		algorithm: z.literal("sha256-leading-zero-bits"),
		bits: z
			.number()
			.int()
			.describe("Find decimal digits `nonce` so SHA-256(challenge ‖ nonce) starts with this many zero bits"),
		expiresAt: isoDateTime(),
	})
	.meta({ id: "PowChallenge" });

const turnstileChallenge = z
	.object({
		type: z.literal("turnstile"),
		siteKey: z.string().describe("Render Cloudflare's Turnstile widget with this site key (`data-sitekey`)"),
		action: z
			.enum(["enter", "bid", "guest"])
			.describe("Render the widget with this `data-action` (or none): a token solved for another action is refused"),
		header: z.literal("X-Turnstile-Token").describe("Send the widget's token in this header; each token works once"),
	})
	.meta({ id: "TurnstileChallenge" });

export const challengeSchema = z
	.discriminatedUnion("type", [powChallenge, turnstileChallenge])
	.meta({ id: "Challenge" });
