/**
 * Position tickets — the spec's "consumer position encoding": opaque to the shopper,
 * AES-GCM encrypted with a key derived from the deployment secret and the
 * distribution's encryptionSeed, and bound to that distribution (as authenticated
 * data) and to one consumer. They carry the consumer's line number, so a worker can
 * compute a waiting consumer's place without asking the queue's object. A ticket from
 * another distribution, or an edited one, does not decrypt. A ticket names the APP_SECRET
 * version it was sealed with (lib/secrets.ts): one sealed before a rotation opens while that
 * version is still in the ring. A ticket expires TICKET_TTL_MS after it was sealed: a stolen
 * one stops working, and every answer from the object hands its holder a fresh one.
 */
import { openWithSecret, sealWithSecret } from "./secrets";

export interface TicketContent {
	consumerId: string;
	/** Line number, or null while the consumer waits in the pre-queue (before the shuffle). */
	seq: number | null;
}

/** How long a ticket opens after it was sealed: 2 hours (README, Admission grants). */
export const TICKET_TTL_MS = 2 * 60 * 60 * 1000;

export type OpenedTicket = TicketContent & { expiresAt: number };

const purpose = (encryptionSeed: string) => `position-ticket|${encryptionSeed}`;

export async function sealTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	content: TicketContent,
	now = Date.now(),
) {
	return sealWithSecret(
		secret,
		purpose(encryptionSeed),
		JSON.stringify({ c: content.consumerId, s: content.seq, e: now + TICKET_TTL_MS }),
		distributionId,
	);
}

/** What the ticket says, or null if it is not a ticket of this distribution or has expired. */
export async function openTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	ticket: string,
	now = Date.now(),
): Promise<OpenedTicket | null> {
	if (ticket.length > 512) return null;
	const plain = await openWithSecret(secret, purpose(encryptionSeed), ticket, distributionId);
	if (!plain) return null;
	try {
		const { c, s, e } = JSON.parse(plain) as { c?: unknown; s?: unknown; e?: unknown };
		if (typeof c !== "string") return null;
		// A ticket sealed before tickets expired names no expiry: it lives until its APP_SECRET
		// version leaves the ring (key rotation keeps it working until then).
		const expiresAt = typeof e === "number" ? e : Number.MAX_SAFE_INTEGER;
		if (expiresAt <= now) return null;
		return { consumerId: c, seq: typeof s === "number" ? s : null, expiresAt };
	} catch {
		return null;
	}
}
