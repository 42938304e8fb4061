/**
 * The tickets a distribution's object hands out (lib/tickets.ts) — queues for a place in
 * line, draws and auctions for an entry: sealed once per consumer and line number, then
 * reused on every poll — any ticket this object sealed stays valid, and sealing is the
 * costly part of answering one. Owns no table: the cache is memory only.
 */
import { type SecretRing, secretRing } from "../../lib/secrets";
import { openTicket, sealTicket, TICKET_TTL_MS, type TicketContent } from "../../lib/tickets";

type TicketKeys = { id: string; encryptionSeed: string };

/** Beyond this many cached tickets the cache starts again (a ticket is re-sealed on its next poll). */
const MAX_CACHED = 10_000;

export class EntryTickets {
	private readonly sealed = new Map<string, { ticket: string; sealedAt: number }>();

	/** The APP_SECRET ring the cached tickets were sealed under: another one (a rotation) starts the cache again. */
	private sealedUnder: SecretRing | null = null;

	async seal(secret: string, t: TicketKeys, content: TicketContent): Promise<string> {
		const ring = secretRing(secret);
		if (ring !== this.sealedUnder) {
			this.sealed.clear();
			this.sealedUnder = ring;
		}
		// Keyed by line number too: the pre-queue shuffle or a rejoin changes what the ticket says.
		const cacheKey = `${content.consumerId}|${content.seq}`;
		const now = Date.now();
		const hit = this.sealed.get(cacheKey);
		// Past half its life a ticket is sealed anew, so the one handed out always has an hour left.
		if (hit && now - hit.sealedAt < TICKET_TTL_MS / 2) return hit.ticket;
		const ticket = await sealTicket(secret, t.encryptionSeed, t.id, content, now);
		if (this.sealed.size >= MAX_CACHED) this.sealed.clear();
		this.sealed.set(cacheKey, { ticket, sealedAt: now });
		return ticket;
	}

	/** The consumer the ticket was sealed for, or null if it is not one of this object's tickets. */
	async holder(secret: string, t: TicketKeys, ticket: string): Promise<string | null> {
		return (await openTicket(secret, t.encryptionSeed, t.id, ticket))?.consumerId ?? null;
	}
}

/** The access token's consumer (and, if also sent, a ticket that must be theirs), or a ticket alone. */
export type Who = { consumerId: string; ticket?: string } | { ticket: string };

/** A ticket alone reads a place, never acts: it gets no grant and cannot leave (README, Admission grants). */
export const ticketOnly = (who: Who): who is { ticket: string } => !("consumerId" in who);

/** What a ticket-only reader may see of a state: everything but the grant and the link that carries it. */
export function withoutGrant<T extends object>(state: T): T {
	const { admissionToken, admissionExpiresAt, claimBy, checkoutUrl, ...rest } = state as T & {
		admissionToken?: unknown;
		admissionExpiresAt?: unknown;
		claimBy?: unknown;
		checkoutUrl?: unknown;
	};
	return rest as T;
}

/**
 * The consumer `who` names: the token's, checked against its ticket when one came along, or
 * the ticket's holder. Null when the ticket is not this object's or not that consumer's.
 */
export async function resolveWho(
	tickets: EntryTickets,
	secret: string,
	t: TicketKeys,
	who: Who,
): Promise<string | null> {
	const holder = who.ticket ? await tickets.holder(secret, t, who.ticket) : null;
	if (who.ticket && (!holder || ("consumerId" in who && holder !== who.consumerId))) return null;
	return "consumerId" in who ? who.consumerId : holder;
}
