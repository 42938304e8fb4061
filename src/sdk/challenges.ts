/**
 * Proof-of-work challenges, solved without the caller noticing: when a protected call (queue or
 * draw enter, a bid, buy-now) is refused with "Challenge required" (or expired / already used),
 * the client asks POST /consumer/v1/challenges for one, solves it — in a Web Worker made from a
 * Blob in browsers, so the page stays responsive and no extra file is hosted; in-process
 * elsewhere (Node, Workers, Deno) or where workers are unavailable — and retries once with
 * `X-Challenge` and `X-Challenge-Nonce`.
 */
import { FanfareError } from "./errors.js";
import type { RequestOptions, Transport } from "./http.js";
import { solvePow } from "./pow.js";

/** Finds the nonce for a challenge; replace it (the `solveChallenge` option) to run the work elsewhere. */
export type ChallengeSolver = (challenge: string, bits: number) => Promise<string>;

/** The refusals a fresh challenge cures. */
const RETRYABLE = new Set([
	"/problems/challenge-required",
	"/problems/challenge-expired",
	"/problems/challenge-already-used",
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
 * Runs `attempt`; if the server asks for a challenge, gets one for `distributionId` and `purpose`,
 * solves it with `solve`, and runs `attempt` once more with the solution's headers.
 */
export async function withChallenge<R>(
	t: Transport,
	solve: ChallengeSolver,
	distributionId: string,
	purpose: "enter" | "bid",
	options: RequestOptions | undefined,
	attempt: (options: RequestOptions | undefined) => Promise<R>,
): Promise<R> {
	try {
		return await attempt(options);
	} catch (error) {
		if (!(error instanceof FanfareError) || error.status !== 403 || !RETRYABLE.has(error.type)) throw error;
	}
	const issued = await t.request<IssuedChallenge>(
		{ method: "POST", path: "/consumer/v1/challenges", body: { distributionId, purpose } },
		{ signal: options?.signal },
	);
	const nonce = await solve(issued.challenge, issued.bits);
	const headers = { ...options?.headers, "X-Challenge": issued.challenge, "X-Challenge-Nonce": nonce };
	return attempt({ ...options, headers });
}
