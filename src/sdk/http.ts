/**
 * The transport under every SDK call: JSON in and out, RFC 9457 errors as `FanfareError`,
 * an idempotency key on every POST, and retries with exponential backoff on network
 * errors, 429 (honouring `Retry-After`) and 5xx. Runs on any runtime with a global
 * `fetch` (Node ≥ 18, browsers, Deno, Workers) — or the `fetch` you pass.
 */
import { FanfareConnectionError, FanfareError, type FieldError } from "./errors.js";

/** The subset of `fetch` the SDK uses; inject your own (a test double, a proxy, a Worker binding). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
	/** Where the API lives, e.g. `https://fanfare.example.com` (no trailing `/api`). */
	baseUrl?: string;
	/** Defaults to the global `fetch`, looked up at call time. */
	fetch?: FetchLike;
	/** Attempts per request, the first included (default 3; 1 disables retries). */
	maxAttempts?: number;
	/** First backoff delay in ms (default 500; also the first reconnect delay of live updates); it doubles on each retry, with jitter. */
	backoffBaseMs?: number;
	/** Longest backoff delay in ms (default 10,000). */
	backoffMaxMs?: number;
	/** A `Retry-After` longer than this (ms, default 60,000) is not waited for: the error is thrown. */
	maxRetryAfterMs?: number;
	/** Per-attempt timeout in ms (default 30,000); a timed-out attempt is retried like a network error. */
	timeoutMs?: number;
	/** Extra headers sent with every request. */
	headers?: Record<string, string>;
}

/** Options every SDK method accepts as its last argument. */
export interface RequestOptions {
	/** Idempotency key for this POST (default: a fresh `crypto.randomUUID()`, reused across its retries). */
	idempotencyKey?: string;
	/** Aborts the request (and its retries). */
	signal?: AbortSignal;
	/** Overrides the client's `maxAttempts` for this call. */
	maxAttempts?: number;
	/** Overrides the client's `timeoutMs` for this call. */
	timeoutMs?: number;
	/** Extra headers for this call. */
	headers?: Record<string, string>;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface CallSpec {
	method: "GET" | "POST" | "PUT" | "DELETE";
	path: string;
	query?: Query;
	body?: unknown;
	headers?: Record<string, string>;
	/** Send no credentials (public endpoints such as the JWKS). */
	anonymous?: boolean;
	/** Never renew the credentials on a 401 (the renewal call itself). */
	noRenew?: boolean;
}

export const DEFAULT_BASE_URL = "http://localhost:8787";

/** `FANFARE_BASE_URL` and friends, where the runtime has a `process.env` (Node, Bun, Deno's compat). */
export function envVar(name: string): string | undefined {
	const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
	const value = env?.[name];
	return value ? value : undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const timer = setTimeout(() => {
			signal?.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener("abort", onAbort, { once: true });
	});

/** `Retry-After` as seconds or an HTTP date → milliseconds (null when absent or unreadable). */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
	if (!value) return null;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
	const at = Date.parse(value);
	return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function newIdempotencyKey(): string {
	return crypto.randomUUID();
}

function problemFrom(res: Response, text: string): FanfareError {
	let body: Record<string, unknown> | null = null;
	try {
		const parsed = text ? JSON.parse(text) : null;
		if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
	} catch {
		body = null;
	}
	const str = (v: unknown) => (typeof v === "string" ? v : undefined);
	return new FanfareError({
		status: res.status,
		title: str(body?.title) ?? (res.statusText || "Request failed"),
		type: str(body?.type),
		detail: str(body?.detail) ?? (body ? undefined : text.slice(0, 500) || undefined),
		errors: Array.isArray(body?.errors) ? (body.errors as FieldError[]) : undefined,
		requestId: res.headers.get("X-Request-Id"),
		headers: res.headers,
	});
}

/** Whether a failed response may be tried again (the request is idempotent by method or by key). */
function retryable(res: Response): boolean {
	if (res.status === 429 || res.status >= 500) return true;
	// "Request in progress": the same idempotency key is still running; the server says when to come back.
	return res.status === 409 && res.headers.has("Retry-After");
}

export class Transport {
	readonly baseUrl: string;

	constructor(
		private readonly options: TransportOptions,
		private readonly auth: () => Record<string, string>,
		/**
		 * Called once per request on a 401 to a call that sent `Authorization`: true when it
		 * obtained new credentials, and the request is then sent again with them.
		 */
		private readonly renew?: () => Promise<boolean>,
	) {
		this.baseUrl = (options.baseUrl ?? envVar("FANFARE_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
	}

	url(path: string, query?: Query): string {
		const qs = new URLSearchParams();
		for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) qs.set(k, String(v));
		const s = qs.toString();
		return `${this.baseUrl}${path}${s ? `?${s}` : ""}`;
	}

	/** The injected fetch, or the global one at call time (so polyfills and test doubles apply). */
	fetch(input: string, init?: RequestInit): Promise<Response> {
		return this.options.fetch ? this.options.fetch(input, init) : globalThis.fetch(input, init);
	}

	private backoff(attempt: number): number {
		const base = this.options.backoffBaseMs ?? 500;
		const max = this.options.backoffMaxMs ?? 10_000;
		const exp = Math.min(max, base * 2 ** (attempt - 1));
		return Math.round(exp / 2 + (Math.random() * exp) / 2);
	}

	/** Sends the call, retrying what is safe to retry; returns the parsed JSON body (undefined for 204). */
	async request<T>(spec: CallSpec, opts: RequestOptions = {}): Promise<T> {
		const headers: Record<string, string> = {
			Accept: "application/json",
			...this.options.headers,
			...(spec.anonymous ? {} : this.auth()),
			...spec.headers,
			...opts.headers,
		};
		let body: string | undefined;
		if (spec.body !== undefined) {
			body = JSON.stringify(spec.body);
			headers["Content-Type"] = "application/json";
		}
		// One key for every attempt of this POST: a retry after a lost response replays the first result.
		if (spec.method === "POST") headers["X-Idempotency-Key"] = opts.idempotencyKey ?? newIdempotencyKey();
		const url = this.url(spec.path, spec.query);
		const maxAttempts = Math.max(1, opts.maxAttempts ?? this.options.maxAttempts ?? 3);
		const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 30_000;

		let renewed = false;
		for (let attempt = 1; ; attempt++) {
			const last = attempt >= maxAttempts;
			let res: Response;
			let text: string;
			try {
				({ res, text } = await this.attempt(url, { method: spec.method, headers, body }, timeoutMs, opts.signal));
			} catch (err) {
				if (opts.signal?.aborted) throw err;
				if (last) {
					const what = err instanceof Error ? err.message : String(err);
					throw new FanfareConnectionError(
						`${spec.method} ${spec.path} failed after ${attempt} attempt(s): ${what}`,
						err,
					);
				}
				await sleep(this.backoff(attempt), opts.signal);
				continue;
			}
			if (res.ok) {
				if (res.status === 204) return undefined as T;
				return (text ? JSON.parse(text) : undefined) as T;
			}
			if (res.status === 401 && !renewed && !spec.noRenew && this.renew && headers.Authorization) {
				renewed = true;
				if (await this.renew()) {
					const fresh = this.auth().Authorization;
					if (fresh) headers.Authorization = fresh;
					attempt--;
					continue;
				}
			}
			if (!last && retryable(res)) {
				const after = retryAfterMs(res.headers.get("Retry-After"));
				if (after === null || after <= (this.options.maxRetryAfterMs ?? 60_000)) {
					await sleep(after ?? this.backoff(attempt), opts.signal);
					continue;
				}
			}
			throw problemFrom(res, text);
		}
	}

	/**
	 * One fetch and its body with its own timeout, also ended by the caller's signal: the body is read
	 * inside both, or a response whose body stalled after its headers hung the call for good.
	 */
	private async attempt(
		url: string,
		init: RequestInit,
		timeoutMs: number,
		signal?: AbortSignal,
	): Promise<{ res: Response; text: string }> {
		const controller = new AbortController();
		const onAbort = () => controller.abort(signal?.reason);
		if (signal?.aborted) onAbort();
		signal?.addEventListener("abort", onAbort, { once: true });
		const timer = setTimeout(
			() => controller.abort(new Error(`Timed out after ${timeoutMs} ms`)),
			Math.max(1, timeoutMs),
		);
		try {
			const res = await this.fetch(url, { ...init, signal: controller.signal });
			return { res, text: await res.text() };
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener("abort", onAbort);
		}
	}
}
