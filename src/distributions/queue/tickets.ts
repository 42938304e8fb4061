/**
 * The position tickets this queue hands out (lib/tickets.ts): sealed once per consumer and
 * line number, then reused on every poll — any ticket this queue sealed stays valid, and
 * sealing is the costly part of answering one. Owns no table: the cache is memory only.
 */
import { openTicket, sealTicket } from "../../lib/tickets";
import type { Entry } from "./store";

type QueueKeys = { id: string; encryptionSeed: string };

/** Beyond this many cached tickets the cache starts again (a ticket is re-sealed on its next poll). */
const MAX_CACHED = 10_000;

export class QueueTickets {
	private readonly sealed = new Map<string, string>();

	async seal(secret: string, t: QueueKeys, entry: Entry): Promise<string> {
		// Keyed by line number too: the pre-queue shuffle or a rejoin changes what the ticket says.
		const cacheKey = `${entry.consumer_id}|${entry.seq}`;
		let ticket = this.sealed.get(cacheKey);
		if (!ticket) {
			ticket = await sealTicket(secret, t.encryptionSeed, t.id, { consumerId: entry.consumer_id, seq: entry.seq });
			if (this.sealed.size >= MAX_CACHED) this.sealed.clear();
			this.sealed.set(cacheKey, ticket);
		}
		return ticket;
	}

	/** The consumer the ticket was sealed for, or null if it is not one of this queue's tickets. */
	async holder(secret: string, t: QueueKeys, ticket: string): Promise<string | null> {
		return (await openTicket(secret, t.encryptionSeed, t.id, ticket))?.consumerId ?? null;
	}
}
