/** Live WebSockets to the worker (queue and auction `/live` routes): connect, then read messages in order. */
import { exports } from "cloudflare:workers";

export type Message = Record<string, any> | string;

export interface Live {
	ws: WebSocket;
	messages: Message[];
	/** The next message matching `pred` after the previous match (already received or still to come). */
	next(pred?: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
	close(): void;
}

const open: WebSocket[] = [];

/** Closes every socket `connect` opened; suites run it in afterEach. */
export function closeLive() {
	for (const ws of open.splice(0)) {
		try {
			ws.close(1000, "done");
		} catch {
			// already closed
		}
	}
}

export const ofType = (type: string) => (m: Message) => typeof m === "object" && m.type === type;

/** How a test reaches the worker: `exports.default.fetch`, or the worker with another env (test/distributions/limits). */
export type Fetcher = (request: Request) => Promise<Response>;

/**
 * Upgrades `url` through the worker (101 expected) and collects what the socket receives, parsed
 * as JSON when it is. `headers` go along with the upgrade (a client address).
 */
export async function connect(
	url: string,
	headers: Record<string, string> = {},
	fetcher: Fetcher = (r) => exports.default.fetch(r),
): Promise<Live> {
	const res = await fetcher(new Request(url, { headers: { Upgrade: "websocket", ...headers } }));
	if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
	const ws = res.webSocket;
	const messages: Message[] = [];
	const waiters: { from: number; pred: (m: Message) => boolean; resolve: (i: number) => void }[] = [];
	ws.addEventListener("message", (ev) => {
		const raw = typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
		let msg: Message = raw;
		try {
			msg = JSON.parse(raw);
		} catch {
			msg = raw;
		}
		messages.push(msg);
		const i = messages.length - 1;
		for (const w of [...waiters]) {
			if (i >= w.from && w.pred(msg)) {
				waiters.splice(waiters.indexOf(w), 1);
				w.resolve(i);
			}
		}
	});
	ws.accept();
	open.push(ws);
	let consumed = 0;
	return {
		ws,
		messages,
		async next(pred = () => true, timeoutMs = 3000) {
			const idx = messages.findIndex((m, i) => i >= consumed && pred(m));
			if (idx >= 0) {
				consumed = idx + 1;
				return messages[idx];
			}
			const i = await new Promise<number>((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`)),
					timeoutMs,
				);
				waiters.push({
					from: consumed,
					pred,
					resolve: (k) => {
						clearTimeout(timer);
						resolve(k);
					},
				});
			});
			consumed = i + 1;
			return messages[i];
		},
		close: () => ws.close(1000, "bye"),
	};
}
