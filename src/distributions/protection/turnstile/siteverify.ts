/**
 * Cloudflare Turnstile's server-side check (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/):
 * POST form `secret`, `response` (the widget's token), `remoteip`, `idempotency_key` to siteverify
 * (env TURNSTILE_VERIFY_URL), read `success`, `hostname`, `action` and `error-codes`. Tokens are
 * single use and live 300 s — siteverify itself enforces both (`timeout-or-duplicate`), so nothing
 * is stored here. Owns no table.
 */

/** Turnstile tokens are at most 2048 characters (Cloudflare's documentation). */
export const MAX_TOKEN_LENGTH = 2048;
const TIMEOUT_MS = 10_000;

/** Why a token did not pass, as the gate tells the shopper (refusals.ts), or the merchant's secret was refused. */
export type TurnstileFailure =
	| "turnstile_missing"
	| "turnstile_invalid"
	| "turnstile_spent"
	| "turnstile_mismatch"
	| "turnstile_error"
	| "turnstile_secret";

/** siteverify could not be reached or answered something that is not its protocol: not a pass, not the shopper's fault. */
export class SiteverifyUnavailable extends Error {
	override name = "SiteverifyUnavailable";
}

interface SiteverifyAnswer {
	success?: unknown;
	hostname?: unknown;
	action?: unknown;
	"error-codes"?: unknown;
}

export interface VerifyInput {
	secret: string;
	token: string;
	remoteIp: string | undefined;
	/** The action the widget must have been rendered with, when it names one (`data-action`). */
	action: string;
	/** Hostnames the token may come from; empty: any. */
	hostnames: string[];
}

/** Cloudflare's documented error codes, each to what it means for this request. */
function failureOf(codes: string[]): TurnstileFailure {
	if (codes.includes("missing-input-secret") || codes.includes("invalid-input-secret")) return "turnstile_secret";
	if (codes.includes("timeout-or-duplicate")) return "turnstile_spent";
	if (codes.includes("missing-input-response")) return "turnstile_missing";
	if (codes.includes("invalid-input-response")) return "turnstile_invalid";
	// internal-error, bad-request, or a code not documented yet: Cloudflare's side, retry with a new token.
	return "turnstile_error";
}

/** Null when the token passes; why not otherwise. Throws SiteverifyUnavailable when siteverify cannot say. */
export async function verifyTurnstile(env: Env, input: VerifyInput): Promise<TurnstileFailure | null> {
	const form = new URLSearchParams({
		secret: input.secret,
		response: input.token,
		// One key per verification: if this request is retried by the network, siteverify answers it the same.
		idempotency_key: crypto.randomUUID(),
	});
	if (input.remoteIp) form.set("remoteip", input.remoteIp);
	let answer: SiteverifyAnswer;
	try {
		const res = await fetch(env.TURNSTILE_VERIFY_URL, {
			method: "POST",
			body: form,
			redirect: "manual",
			signal: AbortSignal.timeout(TIMEOUT_MS),
		});
		if (!res.ok) throw new SiteverifyUnavailable(`siteverify answered ${res.status}`);
		answer = (await res.json()) as SiteverifyAnswer;
	} catch (err) {
		if (err instanceof SiteverifyUnavailable) throw err;
		throw new SiteverifyUnavailable(`siteverify unreachable: ${String((err as Error)?.message).slice(0, 120)}`);
	}
	if (typeof answer !== "object" || answer === null || typeof answer.success !== "boolean") {
		throw new SiteverifyUnavailable("siteverify's answer has no boolean `success`");
	}
	if (!answer.success) {
		const codes = Array.isArray(answer["error-codes"]) ? answer["error-codes"].map(String) : [];
		return failureOf(codes);
	}
	// A pass for another page or another step of the shop is not a pass for this one.
	if (typeof answer.action === "string" && answer.action !== "" && answer.action !== input.action) {
		return "turnstile_mismatch";
	}
	if (input.hostnames.length) {
		const host = typeof answer.hostname === "string" ? answer.hostname.toLowerCase() : "";
		if (!input.hostnames.includes(host)) return "turnstile_mismatch";
	}
	return null;
}
