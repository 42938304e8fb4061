/**
 * The live WebSockets of queues and auctions: the worker checks the request asks for an
 * upgrade, then hands it to the distribution's object, which accepts it (hibernation API).
 */
import { ApiError, upgradeOrProblem } from "../../http/problems";

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
