/**
 * Live updates over hibernatable WebSockets: each socket is tagged with its
 * consumer id, so a push to one consumer reaches every tab it has open, and an
 * idle object can hibernate without dropping them.
 * Owns no table and no schedule kind: the runtime keeps the sockets and their tags.
 */
/** The second tag of a socket opened with a position ticket alone: it is never sent a grant. */
export const TICKET_ONLY = "ticket-only";

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
