/**
 * Live updates over hibernatable WebSockets: each socket is tagged with its
 * consumer id, so a push to one consumer reaches every tab it has open, and an
 * idle object can hibernate without dropping them. Each is also tagged with its client
 * address (hashed by the worker), so the caps the worker sends — live sockets per consumer and
 * per address on this distribution — are counted from the runtime's own list of sockets.
 * Owns no table and no schedule kind: the runtime keeps the sockets and their tags.
 */
/** The second tag of a socket opened with a position ticket alone: it is never sent a grant. */
export const TICKET_ONLY = "ticket-only";

/** The tag prefix of a socket's client address (the worker's hash of it, `X-Client-Address`). */
const ADDRESS_TAG = "addr:";

const openCount = (ctx: DurableObjectState, tag: string) =>
	ctx.getWebSockets(tag).filter((ws) => ws.readyState === WebSocket.OPEN).length;

/**
 * The refusal of a socket past the caps the worker sent (`X-Live-Caps: consumer,address`): a 429
 * before the upgrade when `consumer` (its tag, when the socket has one) or the client address
 * already holds that many open sockets here; null to go on. The worker refuses nothing itself:
 * only the object sees the sockets open on it.
 */
export function overLiveCap(ctx: DurableObjectState, request: Request, consumer: string | null): Response | null {
	const [perConsumer, perAddress] = (request.headers.get("X-Live-Caps") ?? "").split(",").map(Number);
	const address = request.headers.get("X-Client-Address");
	const refuse = (cap: number, per: string) =>
		new Response("Too many live connections", {
			status: 429,
			headers: {
				"Retry-After": "10",
				"X-Problem-Detail": `At most ${cap} live connections per ${per} on one distribution; close one first.`,
			},
		});
	if (consumer && perConsumer > 0 && openCount(ctx, consumer) >= perConsumer) return refuse(perConsumer, "consumer");
	if (address && perAddress > 0 && openCount(ctx, ADDRESS_TAG + address) >= perAddress) {
		return refuse(perAddress, "client address");
	}
	return null;
}

/** The address tag for a socket accepted from `request` (none when the worker sent no address). */
export const addressTags = (request: Request): string[] => {
	const address = request.headers.get("X-Client-Address");
	return address ? [ADDRESS_TAG + address] : [];
};

export function acceptLive(ctx: DurableObjectState, tag: string, first: unknown, more: string[] = []): Response {
	const pair = new WebSocketPair();
	const [client, server] = Object.values(pair);
	ctx.acceptWebSocket(server, [tag, ...more]);
	server.send(JSON.stringify(first));
	return new Response(null, { status: 101, webSocket: client });
}

/** Sends `message` to every socket tagged `tag`; those opened with a ticket alone get `forTicketOnly` instead. */
export function sendTo(ctx: DurableObjectState, tag: string, message: unknown, forTicketOnly: unknown = message): void {
	const text = JSON.stringify(message);
	const plain = forTicketOnly === message ? text : JSON.stringify(forTicketOnly);
	for (const ws of ctx.getWebSockets(tag)) safeSend(ws, isTicketOnly(ctx, ws) ? plain : text);
}

export const isTicketOnly = (ctx: DurableObjectState, ws: WebSocket) => ctx.getTags(ws).includes(TICKET_ONLY);

export function broadcast(ctx: DurableObjectState, message: unknown): void {
	const text = JSON.stringify(message);
	for (const ws of ctx.getWebSockets()) safeSend(ws, text);
}

/** The consumer id a socket was accepted for. */
export const tagOf = (ctx: DurableObjectState, ws: WebSocket) => ctx.getTags(ws)[0] ?? "";

function safeSend(ws: WebSocket, text: string): void {
	try {
		ws.send(text);
	} catch {
		// A socket closing under us is not an error: the client reconnects and resumes.
	}
}

export function isUpgrade(request: Request): boolean {
	return request.headers.get("Upgrade")?.toLowerCase() === "websocket";
}
