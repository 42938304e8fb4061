/**
 * The live WebSockets of queues, draws and auctions: the worker checks the request asks for an
 * upgrade and spends the connect budgets, then hands it to the distribution's object, which
 * checks its caps on open sockets and accepts it (hibernation API).
 */
import { ApiError, upgradeOrProblem } from "../../http/problems";
import { liveSocketCaps } from "../limits/budgets";
import { addressKey, type Limited, spendBudgets } from "../limits/consumer-limits";

/** 426 unless the request asks to become a WebSocket: live routes speak nothing else. */
export function requireWebSocket(upgrade: string | undefined): void {
	if (upgrade?.toLowerCase() !== "websocket") {
		throw new ApiError(426, "Upgrade required", "Connect with a WebSocket client.", undefined, {
			Upgrade: "websocket",
		});
	}
}

/**
 * The upgrade, as the object receives it: who is connecting comes in `headers` (the
 * worker has checked the credentials; the object trusts only what the worker sends).
 * The 101 as is, or the object's refusal as the usual problem.
 */
export async function connectLive(
	ref: { fetch(request: Request): Promise<Response> },
	url: string,
	headers: Record<string, string>,
): Promise<Response> {
	return upgradeOrProblem(await ref.fetch(new Request(url, { headers: { Upgrade: "websocket", ...headers } })));
}

/**
 * A live connect through the limits: it spends a `connects` request of `consumer`'s budget (when
 * the socket names one) and of the client address's, and hands the object the caps on open sockets
 * with the hashed address to tag the socket with (kernel/live.ts counts them). The 101 carries the
 * RateLimit-* headers; a spent budget or a full cap is a 429 before any upgrade.
 */
export async function connectLimited(
	c: Limited & { req: { url: string } },
	ref: { fetch(request: Request): Promise<Response> },
	headers: Record<string, string>,
	consumer: string | null,
	beforeOpen?: () => Promise<void>,
): Promise<Response> {
	const limits = await spendBudgets(c, "connects", consumer);
	// What the socket needs first (a sharded queue forwards a pending arrival) runs only once the budget allowed it.
	await beforeOpen?.();
	const caps = liveSocketCaps(c.env);
	const address = await addressKey(c);
	const upgrade: Record<string, string> = { ...headers, "X-Live-Caps": `${caps.consumer},${caps.address}` };
	if (address) upgrade["X-Client-Address"] = address;
	const res = await connectLive(ref, c.req.url, upgrade);
	return new Response(null, { status: 101, webSocket: res.webSocket, headers: limits });
}
