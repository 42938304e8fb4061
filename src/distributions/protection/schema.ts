/** The one zod source of the protection module: the sequence's `protection` field and the challenge route. */
import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { CHALLENGES, ON_FAILURE, PURPOSES } from "./modes";
import { BASE_BITS, MAX_BITS } from "./pow";

export const protectionSchema = z
	.object({
		challenge: z
			.enum(CHALLENGES)
			.describe(
				"`none` (default): no challenge. `pow`: the shopper's client solves a proof-of-work challenge " +
					"(POST /consumer/v1/challenges; the SDK does it) and sends it on queue enter, draw enter and bids " +
					`(X-Challenge and X-Challenge-Nonce headers); ${BASE_BITS}–${MAX_BITS} bits, rising with the arrival rate. ` +
					"`turnstile`: Cloudflare Turnstile with your organization's site key.",
			),
		onFailure: z
			.enum(ON_FAILURE)
			.describe(
				"What a missing or failed challenge costs: `refuse` (default, 403). `back-of-line` is accepted and stored for queues to come; for now failures are refused either way.",
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

export const challengeRequest = z
	.strictObject({
		distributionId: z.string().min(1).max(64).describe("The queue, draw or auction the challenge is for"),
		purpose: z.enum(PURPOSES).describe("`enter` for queue and draw enter, `bid` for auction bids and buy-now"),
	})
	.meta({ id: "ChallengeRequest" });

export const challengeSchema = z
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
	.meta({ id: "Challenge" });
