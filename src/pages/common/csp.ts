/**
 * A strict Content-Security-Policy for server-rendered pages: scripts and styles only from this
 * origin or carrying the response's nonce (fresh per response), no CDN, no inline handlers, no
 * framing, forms and sockets to this origin only. Options widen images (a merchant's logo).
 */
import { createMiddleware } from "hono/factory";

export interface CspOptions {
	/** Extra img-src sources (default: https: for merchant logos). */
	imgSrc?: string[];
	/** Extra connect-src sources (default: none beyond this origin). */
	connectSrc?: string[];
	/** worker-src sources (default: none): the shopper page allows `blob:`, where the SDK solves proof-of-work. */
	workerSrc?: string[];
}

function nonce(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(18));
	return btoa(String.fromCharCode(...bytes));
}

/** Sources one response adds (set by its handler in `cspSources`): a Turnstile launch's script and frame origin. */
export interface CspSources {
	script?: string[];
	frame?: string[];
}

export function pageCsp(options: CspOptions = {}) {
	const img = ["'self'", "data:", ...(options.imgSrc ?? ["https:"])].join(" ");
	const connect = ["'self'", ...(options.connectSrc ?? [])].join(" ");
	const worker = options.workerSrc?.length ? [`worker-src ${options.workerSrc.join(" ")}`] : [];
	return createMiddleware<{ Variables: { nonce: string; cspSources?: CspSources } }>(async (c, next) => {
		const n = nonce();
		c.set("nonce", n);
		await next();
		const extra = c.get("cspSources") ?? {};
		const script = ["'self'", `'nonce-${n}'`, ...(extra.script ?? [])].join(" ");
		const frame = extra.frame?.length ? [`frame-src ${extra.frame.join(" ")}`] : [];
		c.header(
			"Content-Security-Policy",
			[
				"default-src 'none'",
				`script-src ${script}`,
				`style-src 'self' 'nonce-${n}'`,
				`img-src ${img}`,
				`connect-src ${connect}`,
				...worker,
				...frame,
				"base-uri 'none'",
				"form-action 'self'",
				"frame-ancestors 'none'",
			].join("; "),
		);
		c.header("X-Content-Type-Options", "nosniff");
		c.header("Referrer-Policy", "no-referrer");
		c.header("Cache-Control", "no-store");
	});
}
