/**
 * The queue's live updates over hibernatable WebSockets (kernel/live.ts): a consumer's
 * tabs get its grant the moment a tick admits it, and every socket the new now-serving
 * number. Owns no table: whom to notify is kept in memory, because losing it only skips
 * a push — the grant is stored, and the next message or poll shows it.
 */
import { withoutGrant } from "../common/tickets";
import {
	acceptLive,
	addressTags,
	broadcast,
	isTicketOnly,
	isUpgrade,
	overLiveCap,
	sendTo,
	TICKET_ONLY,
	tagOf,
} from "../kernel/live";
import type { QueueReply, QueueState, Who } from "./object";
import type { Entry, QueueStore } from "./store";

type StateOf = (organizationId: string, who: Who) => Promise<QueueReply<QueueState>>;

export class QueueLive {
	/** Consumers admitted since the last push. */
	private toNotify: string[] = [];
	/** Consumers whose place ended since the last push (denied): their sockets are told at once. */
	private toTell: string[] = [];
	/** The queue sold out since the last push: every socket is told once. */
	private soldOutPending = false;

	constructor(
		private readonly ctx: DurableObjectState,
		private readonly store: () => QueueStore,
	) {}

	/** Everyone may see how far the line has moved. */
	progress() {
		const store = this.store();
		return { nowServing: store.counter("now_serving"), queued: store.queued() };
	}

	/** The worker forwards an authenticated upgrade with the consumer and organization in headers. */
	async upgrade(request: Request, stateOf: StateOf): Promise<Response> {
		if (!isUpgrade(request)) return new Response("Expected a WebSocket upgrade", { status: 426 });
		const organizationId = request.headers.get("X-Organization-Id") ?? "";
		const consumerId = request.headers.get("X-Consumer-Id");
		const ticket = request.headers.get("X-Queue-Ticket") ?? undefined;
		const who: Who = consumerId ? { consumerId, ticket } : { ticket: ticket ?? "" };
		const reply = await stateOf(organizationId, who);
		if (!reply.ok && reply.error === "not_found") return new Response("Queue not found", { status: 404 });
		if (!reply.ok && reply.error === "bad_ticket") return new Response("Invalid ticket", { status: 401 });
		// A socket opened with a ticket alone is told its place, never handed the grant (tag TICKET_ONLY); so is a
		// session-bound consumer's (X-Grant-Withheld): the worker binds its grant to the session, on status.
		const grantless = !consumerId || request.headers.get("X-Grant-Withheld") === "1";
		const first = reply.ok
			? { type: "status", ...(grantless ? withoutGrant(reply.value) : reply.value) }
			: { type: "progress", ...this.progress() };
		const tag = reply.ok ? reply.value.consumerId : (consumerId ?? "");
		const refused = overLiveCap(this.ctx, request, tag || null);
		if (refused) return refused;
		const tags = [...(grantless ? [TICKET_ONLY] : []), ...addressTags(request)];
		return acceptLive(this.ctx, tag, first, tags);
	}

	/**
	 * The two frames a socket may send: `ping` (→ `pong`) and `status` (→ its consumer's state,
	 * or the line's progress for a socket without one). Anything else is dropped without a reply
	 * or a read: a junk frame must not buy a full state from the queue's one object.
	 */
	async answer(ws: WebSocket, message: string | ArrayBuffer, organizationId: string | null, stateOf: StateOf) {
		if (message === "ping") return ws.send("pong");
		if (message !== "status") return;
		const reply = organizationId != null ? await stateOf(organizationId, { consumerId: tagOf(this.ctx, ws) }) : null;
		const own = reply?.ok && (isTicketOnly(this.ctx, ws) ? withoutGrant(reply.value) : reply.value);
		ws.send(JSON.stringify(own ? { type: "status", ...own } : { type: "progress", ...this.progress() }));
	}

	admitted(consumerIds: string[]): void {
		for (const id of consumerIds) this.toNotify.push(id);
	}

	/** A consumer's place ended by the merchant's hand (denied): its tabs learn it without polling. */
	ended(consumerId: string): void {
		this.toTell.push(consumerId);
	}

	soldOut(): void {
		this.soldOutPending = true;
	}

	/** Sends each newly admitted consumer its grant, then everyone the new now-serving number (or that it sold out). */
	async push(describe: (entry: Entry) => Promise<QueueState>): Promise<void> {
		if (this.soldOutPending) {
			this.soldOutPending = false;
			broadcast(this.ctx, { type: "sold_out" });
		}
		for (const id of this.toTell.splice(0)) {
			const entry = this.store().entry(id);
			if (!entry || entry.status === "QUEUED" || entry.status === "ADMITTED") continue;
			const state = { type: "status", ...(await describe(entry)) };
			sendTo(this.ctx, id, state, withoutGrant(state));
		}
		const ids = this.toNotify.splice(0);
		if (!ids.length) return;
		for (const id of ids) {
			const entry = this.store().entry(id);
			if (entry?.status !== "ADMITTED") continue;
			const state = { type: "admitted", ...(await describe(entry)) };
			sendTo(this.ctx, id, state, withoutGrant(state));
		}
		broadcast(this.ctx, { type: "progress", ...this.progress() });
	}
}
