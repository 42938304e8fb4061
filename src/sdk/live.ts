/**
 * Live subscriptions: a WebSocket that reconnects with backoff (the server's first message
 * on every connection is the current state, so a reconnect resumes where it left off) — also when
 * it falls silent, pings unanswered — and polling as the fallback when WebSockets are unavailable
 * or keep failing.
 */
import { FanfareError } from "./errors.js";

/** What the SDK needs of a WebSocket: the browser / Deno / Node 22 / Workers class all fit. */
export interface WebSocketLike {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: "message" | "close" | "error" | "open", listener: (event: any) => void): void;
}

/** Opens a WebSocket to `url` (a `ws:`/`wss:` URL). May return a promise, e.g. for a socket obtained via fetch. */
export type WebSocketFactory = (url: string) => WebSocketLike | Promise<WebSocketLike>;

export type LiveState = "connecting" | "live" | "reconnecting" | "polling" | "stopped";

export interface WatchOptions {
	/** Errors that do not stop the subscription (failed polls, dropped connections). */
	onError?: (error: unknown) => void;
	/** Transport changes: connecting → live, reconnecting, polling, stopped. */
	onStateChange?: (state: LiveState) => void;
	/** Poll interval in ms when live updates are unavailable (default 5,000). */
	pollIntervalMs?: number;
	/** Consecutive failed connections before falling back to polling (default 5). */
	maxReconnects?: number;
	/** Never open a WebSocket; poll from the start. */
	polling?: boolean;
}

export interface LiveConfig<M> {
	url: () => string;
	webSocket: WebSocketFactory | undefined;
	poll: () => Promise<M>;
	onMessage: (message: M) => void;
	options: WatchOptions;
	/** Reconnect backoff: first delay and cap in ms. */
	backoffBaseMs?: number;
	backoffMaxMs?: number;
	/** Keep-alive ping interval in ms (default 25,000). */
	pingIntervalMs?: number;
}

/** The global WebSocket class as a factory, where the runtime has one. */
export function globalWebSocket(): WebSocketFactory | undefined {
	const WS = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
	return typeof WS === "function" ? (url) => new WS(url) : undefined;
}

/** `https://host/path` → `wss://host/path`. */
export const toWebSocketUrl = (url: string) => url.replace(/^http(s?):/i, "ws$1:");

const textOf = (data: unknown): string | null => {
	if (typeof data === "string") return data;
	if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
	if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
	return null;
};

/** A polled failure that will not get better by asking again (bad credentials, unknown id, …). */
const fatal = (err: unknown) =>
	err instanceof FanfareError && err.status >= 400 && err.status < 500 && ![408, 409, 429].includes(err.status);

/** Starts the subscription; returns the unsubscribe function. */
export function subscribe<M>(cfg: LiveConfig<M>): () => void {
	const opts = cfg.options;
	const maxReconnects = Math.max(1, opts.maxReconnects ?? 5);
	const base = cfg.backoffBaseMs ?? 500;
	const cap = cfg.backoffMaxMs ?? 15_000;
	let stopped = false;
	let failures = 0;
	let socket: WebSocketLike | undefined;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let ping: ReturnType<typeof setInterval> | undefined;
	let polling = false;
	let state: LiveState | undefined;

	const setState = (next: LiveState) => {
		if (state === next) return;
		state = next;
		opts.onStateChange?.(next);
	};
	const report = (err: unknown) => {
		try {
			opts.onError?.(err);
		} catch {
			// a throwing handler must not break the subscription
		}
	};
	const deliver = (message: M) => {
		try {
			cfg.onMessage(message);
		} catch (err) {
			report(err);
		}
	};

	const startPolling = () => {
		if (polling || stopped) return;
		polling = true;
		setState("polling");
		const tick = async () => {
			if (stopped) return;
			try {
				const message = await cfg.poll();
				// Unsubscribed while the poll was out: its answer is nobody's now.
				if (!stopped) deliver(message);
			} catch (err) {
				report(err);
				if (fatal(err)) {
					setState("stopped");
					return;
				}
			}
			if (!stopped) timer = setTimeout(tick, opts.pollIntervalMs ?? 5000);
		};
		void tick();
	};

	const failed = (err: unknown) => {
		if (ping !== undefined) clearInterval(ping);
		ping = undefined;
		socket = undefined;
		if (stopped) return;
		report(err);
		failures++;
		if (failures >= maxReconnects) return startPolling();
		setState("reconnecting");
		const delay = Math.min(cap, base * 2 ** (failures - 1));
		timer = setTimeout(connect, Math.round(delay / 2 + (Math.random() * delay) / 2));
	};

	async function connect() {
		if (stopped) return;
		const factory = cfg.webSocket;
		if (!factory || opts.polling) return startPolling();
		setState(failures ? "reconnecting" : "connecting");
		let ws: WebSocketLike;
		try {
			ws = await factory(toWebSocketUrl(cfg.url()));
		} catch (err) {
			return failed(err);
		}
		if (stopped) {
			ws.close(1000, "unsubscribed");
			return;
		}
		socket = ws;
		let done = false;
		const end = (err: unknown) => {
			if (done) return;
			done = true;
			try {
				ws.close(1000);
			} catch {
				// already closed
			}
			failed(err);
		};
		// A half-open connection (the network gone, no close ever coming) shows only as silence: with
		// nothing heard, not even a pong, for two ping intervals, the socket is given up and reconnected.
		const interval = cfg.pingIntervalMs ?? 25_000;
		let heard = Date.now();
		ws.addEventListener("message", (event: { data: unknown }) => {
			heard = Date.now();
			const text = textOf(event.data);
			if (text === null || text === "pong") return;
			let message: M;
			try {
				message = JSON.parse(text) as M;
			} catch {
				return;
			}
			failures = 0;
			setState("live");
			deliver(message);
		});
		ws.addEventListener("close", (event: { code?: number; reason?: string }) =>
			end(new Error(`Live connection closed (${event.code ?? "?"}${event.reason ? ` ${event.reason}` : ""})`)),
		);
		ws.addEventListener("error", () => end(new Error("Live connection failed")));
		ping = setInterval(() => {
			if (Date.now() - heard > 2 * interval) return end(new Error("Live connection silent: no answer to two pings"));
			try {
				if (ws.readyState === 1) ws.send("ping");
			} catch {
				// the close event follows
			}
		}, interval);
	}

	void connect();
	return () => {
		if (stopped) return;
		stopped = true;
		if (timer !== undefined) clearTimeout(timer);
		if (ping !== undefined) clearInterval(ping);
		try {
			socket?.close(1000, "unsubscribed");
		} catch {
			// already closed
		}
		socket = undefined;
		setState("stopped");
	};
}
