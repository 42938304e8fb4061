/**
 * Bot protection of a sequence's distributions. Kept apart so the D1 schema can name the modes
 * without importing the protection module.
 * - `none` (default): no challenge.
 * - `pow`: a self-hosted proof-of-work challenge (POST /consumer/v1/challenges), solved by the client.
 * - `turnstile`: Cloudflare Turnstile with the organization's site key and secret.
 * `onFailure` says what a failed challenge costs: `refuse` (403), or — queue enter only —
 * `back-of-line`: the consumer is queued behind every consumer who passed (queue/store.ts lanes);
 * draw enter, bids and guest sign-up refuse either way.
 */
export const CHALLENGES = ["none", "pow", "turnstile"] as const;
export type Challenge = (typeof CHALLENGES)[number];
export const ON_FAILURE = ["refuse", "back-of-line"] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

export interface Protection {
	challenge: Challenge;
	onFailure: OnFailure;
}

export const NO_PROTECTION: Protection = { challenge: "none", onFailure: "refuse" };

/**
 * What a challenge is for; a solution for one purpose never passes another. `guest`: a guest
 * sign-up naming the distribution it is for (no consumer exists yet to bind it to).
 */
export const PURPOSES = ["enter", "bid", "guest"] as const;
export type Purpose = (typeof PURPOSES)[number];

/** A setting as the API takes it (fields optional) with its defaults filled in. */
export const protectionOf = (input?: Partial<Protection>): Protection => ({ ...NO_PROTECTION, ...input });
