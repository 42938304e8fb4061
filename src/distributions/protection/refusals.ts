/**
 * What a shopper whose challenge is missing or fails is told: 403 problems, one title per reason.
 * `Challenge required`, `Challenge expired` and `Challenge already used` mean "get a new one"
 * (the SDK does, once); the others mean the client is broken or cheating.
 */
import { ApiError } from "../../http/problems";
import type { ChallengeFailure } from "./challenge-token";
import type { TurnstileFailure } from "./turnstile/siteverify";

export type ChallengeRefusal = ChallengeFailure | "missing" | "reused" | TurnstileFailure;

const HOW =
	"POST /consumer/v1/challenges with {distributionId, purpose}, solve it, and send X-Challenge and X-Challenge-Nonce.";

const TURNSTILE =
	"Render the organization's Turnstile widget (its site key: POST /consumer/v1/challenges) and send its token as X-Turnstile-Token.";

const REFUSALS: Record<Exclude<ChallengeRefusal, "turnstile_secret">, [title: string, detail: string]> = {
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
	turnstile_missing: ["Turnstile token required", `This launch asks every shopper for a Turnstile check. ${TURNSTILE}`],
	turnstile_invalid: ["Turnstile token invalid", `Cloudflare did not accept this token. ${TURNSTILE}`],
	turnstile_spent: [
		"Turnstile token expired or already used",
		`A Turnstile token is valid 300 seconds and accepted once; reset the widget for a new one. ${TURNSTILE}`,
	],
	turnstile_mismatch: [
		"Turnstile token invalid",
		"This token was solved on another hostname or for another action than this request's (its purpose: enter, bid or guest).",
	],
	turnstile_error: [
		"Turnstile verification failed",
		`Cloudflare could not validate this token (internal-error); reset the widget and retry. ${TURNSTILE}`,
	],
};

/**
 * The problem for a refusal: 403 — except a secret key Cloudflare refuses, which no shopper can
 * fix: 503, and the merchant is told by the message to set it again.
 */
export const challengeRefused = (why: ChallengeRefusal) =>
	why === "turnstile_secret"
		? new ApiError(
				503,
				"Turnstile unavailable",
				"Cloudflare refused this organization's Turnstile secret key; the merchant must set it again (PUT /api/v1/organization/turnstile).",
			)
		: new ApiError(403, ...REFUSALS[why]);

/** siteverify could not be reached: neither a pass nor a refusal. */
export const turnstileUnavailable = () =>
	new ApiError(
		503,
		"Turnstile unavailable",
		"Cloudflare's Turnstile check could not be reached; retry shortly with a new token.",
		undefined,
		{ "Retry-After": "5" },
	);

/** The refusals of the gate, as every protected path's contract lists them. */
export const CHALLENGE_REFUSALS =
	"Challenge required, invalid, expired or already used / Turnstile token required, invalid, expired or already used, verification failed";
/** The gate's 503s. */
export const CHALLENGE_UNAVAILABLE =
	"Turnstile unavailable (siteverify unreachable, or the organization's secret refused)";
