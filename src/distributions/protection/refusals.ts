/**
 * What a shopper whose challenge is missing or fails is told: 403 problems, one title per reason.
 * `Challenge required`, `Challenge expired` and `Challenge already used` mean "get a new one"
 * (the SDK does, once); the others mean the client is broken or cheating.
 */
import { ApiError } from "../../http/problems";
import type { ChallengeFailure } from "./challenge-token";

export type ChallengeRefusal = ChallengeFailure | "missing" | "reused";

const HOW =
	"POST /consumer/v1/challenges with {distributionId, purpose}, solve it, and send X-Challenge and X-Challenge-Nonce.";

const REFUSALS: Record<ChallengeRefusal, [title: string, detail: string]> = {
	missing: ["Challenge required", `This launch asks every shopper's browser for a little work first: ${HOW}`],
	malformed: ["Challenge invalid", `X-Challenge or X-Challenge-Nonce is not well-formed. ${HOW}`],
	forged: ["Challenge invalid", "This challenge was not issued by this deployment."],
	wrong_binding: [
		"Challenge invalid",
		"This challenge was issued for another distribution, purpose or consumer; get one for this request.",
	],
	unsolved: ["Challenge invalid", "The nonce does not solve the challenge."],
	expired: ["Challenge expired", `Challenges are valid five minutes. ${HOW}`],
	reused: ["Challenge already used", `Each challenge is accepted once. ${HOW}`],
};

export const challengeRefused = (why: ChallengeRefusal) => new ApiError(403, ...REFUSALS[why]);

/** The refusals of the gate, as every protected path's contract lists them. */
export const CHALLENGE_REFUSALS = "Challenge required, invalid, expired or already used";
