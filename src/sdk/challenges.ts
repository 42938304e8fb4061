/**
 * Challenges, answered without the caller noticing: when a protected call (queue or draw enter,
 * a bid, buy-now, a guest sign-up naming a distribution) is refused with "Challenge required" (or
 * expired / already used, or their Turnstile counterparts), the client asks POST
 * /consumer/v1/challenges for what the launch wants. Proof-of-work it solves — in a Web Worker
 * made from a Blob in browsers, so the page stays responsive and no extra file is hosted;
 * in-process elsewhere (Node, Workers, Deno) or where workers are unavailable — and retries once
 * with `X-Challenge` and `X-Challenge-Nonce`. Turnstile it hands to the page's `turnstileToken`
 * callback (the widget is the merchant page's to render) and retries once with `X-Turnstile-Token`.
 */
import { FanfareError } from "./errors.js";
import type { RequestOptions, Transport } from "./http.js";
import { solvePow } from "./pow.js";

/** Finds the nonce for a challenge; replace it (the `solveChallenge` option) to run the work elsewhere. */
export type ChallengeSolver = (challenge: string, bits: number) => Promise<string>;

/** The refusals a fresh challenge (or Turnstile token) cures. */
const RETRYABLE = new Set([
	"/problems/challenge-required",
	"/problems/challenge-expired",
	"/problems/challenge-already-used",
	"/problems/turnstile-token-required",
	"/problems/turnstile-token-expired-or-already-used",
	"/problems/turnstile-verification-failed",
]);

interface IssuedChallenge {
	challenge: string;
	bits: number;
}

/** What the SDK uses of a browser's `Worker` (the server's type library has no DOM). */
interface WorkerLike {
	onmessage: ((e: { data: string }) => void) | null;
	onerror: ((e: { preventDefault?(): void }) => void) | null;
	postMessage(message: unknown): void;
	terminate(): void;
}

/** The work in a Web Worker built from `solvePow`'s own source; null where there is no Worker, Blob or object URL. */
function inWorker(challenge: string, bits: number): Promise<string> | null {
	const g = globalThis as {
		Worker?: new (url: string) => WorkerLike;
		Blob?: typeof Blob;
		URL?: typeof URL;
		document?: unknown;
	};
	if (!g.Worker || !g.Blob || !g.URL?.createObjectURL || !g.document) return null;
	let url: string;
	let worker: WorkerLike;
	try {
		const source = `const solvePow = ${solvePow.toString()};\nonmessage = (e) => postMessage(solvePow(e.data.challenge, e.data.bits));`;
		url = g.URL.createObjectURL(new g.Blob([source], { type: "text/javascript" }));
		worker = new g.Worker(url);
	} catch {
		// A Content-Security-Policy without `worker-src blob:` refuses it: the main thread does the work.
		return null;
	}
	return new Promise<string>((resolve, reject) => {
		const done = () => {
			worker.terminate();
			g.URL?.revokeObjectURL(url);
		};
		worker.onmessage = (e) => {
			done();
			resolve(e.data);
		};
		worker.onerror = (e) => {
			done();
			e.preventDefault?.();
			reject(new Error("proof-of-work worker failed"));
		};
		worker.postMessage({ challenge, bits });
	}).catch(() => Promise.resolve(solvePow(challenge, bits)));
}

/** The default solver: a Web Worker in browsers, else this thread. */
export const defaultSolver: ChallengeSolver = (challenge, bits) =>
	inWorker(challenge, bits) ?? Promise.resolve().then(() => solvePow(challenge, bits));

/**
 * Gets a Turnstile token for a launch protected by Cloudflare Turnstile: render the widget with
 * `siteKey` (and `action` as its `data-action`) on your page, wait for the shopper to pass it,
 * and resolve to the token (`turnstile.getResponse()`, or the widget's `callback`). Each token
 * works once: reset the widget before resolving another one.
 */
export type TurnstileTokenSource = (widget: {
	siteKey: string;
	action: "enter" | "bid" | "guest";
	distributionId: string;
}) => Promise<string> | string;

/** What the client answers challenges with: proof-of-work always, Turnstile when the page can render the widget. */
export interface ChallengeSolvers {
	pow: ChallengeSolver;
	turnstile?: TurnstileTokenSource;
}

type Issued = IssuedChallenge & { type: "pow" | "turnstile"; siteKey?: string; action?: "enter" | "bid" | "guest" };

/** The headers that answer the challenge `distributionId` asks for; null when this client cannot answer it. */
async function answer(
	t: Transport,
	solvers: ChallengeSolvers,
	distributionId: string,
	purpose: "enter" | "bid" | "guest",
	signal: AbortSignal | undefined,
): Promise<Record<string, string> | null> {
	const request =
		purpose === "guest"
			? { method: "POST" as const, path: "/consumer/v1/challenges/guest", body: { distributionId } }
			: { method: "POST" as const, path: "/consumer/v1/challenges", body: { distributionId, purpose } };
	const issued = await t.request<Issued>(request, { signal });
	if (issued.type === "turnstile") {
		if (!solvers.turnstile || !issued.siteKey) return null;
		const token = await solvers.turnstile({
			siteKey: issued.siteKey,
			action: issued.action ?? purpose,
			distributionId,
		});
		return { "X-Turnstile-Token": token };
	}
	const nonce = await solvers.pow(issued.challenge, issued.bits);
	return { "X-Challenge": issued.challenge, "X-Challenge-Nonce": nonce };
}

/**
 * Runs `attempt`; if the server asks for a challenge (proof-of-work or Turnstile), gets the one
 * `distributionId` asks for `purpose`, answers it, and runs `attempt` once more with its headers.
 * `again`: an accepted answer that still calls for a challenge (a queue's back-of-line place) is
 * answered and attempted once more too. A Turnstile launch without a `turnstileToken` option
 * leaves the refusal (or the back-of-line place) as it is.
 */
export async function withChallenge<R>(
	t: Transport,
	solvers: ChallengeSolvers,
	distributionId: string,
	purpose: "enter" | "bid" | "guest",
	options: RequestOptions | undefined,
	attempt: (options: RequestOptions | undefined) => Promise<R>,
	again?: (result: R) => boolean,
): Promise<R> {
	let refusal: FanfareError;
	try {
		const result = await attempt(options);
		if (!again?.(result)) return result;
		// Accepted already: whatever goes wrong answering the challenge, the place it has is kept.
		const headers = await answer(t, solvers, distributionId, purpose, options?.signal).catch(() => null);
		return headers ? attempt({ ...options, headers: { ...options?.headers, ...headers } }).catch(() => result) : result;
	} catch (error) {
		if (!(error instanceof FanfareError) || error.status !== 403 || !RETRYABLE.has(error.type)) throw error;
		refusal = error;
	}
	const headers = await answer(t, solvers, distributionId, purpose, options?.signal);
	if (!headers) throw refusal;
	return attempt({ ...options, headers: { ...options?.headers, ...headers } });
}
