/**
 * Position tickets — the spec's "consumer position encoding": opaque to the shopper,
 * AES-GCM encrypted with a key derived from the deployment secret and the
 * distribution's encryptionSeed, and bound to that distribution (as authenticated
 * data) and to one consumer. They carry the consumer's line number, so a worker can
 * compute a waiting consumer's place without asking the queue's object. A ticket from
 * another distribution, or an edited one, does not decrypt. A ticket names the APP_SECRET
 * version it was sealed with (lib/secrets.ts): one sealed before a rotation opens while that
 * version is still in the ring.
 */
import { openWithSecret, sealWithSecret } from "./secrets";

export interface TicketContent {
	consumerId: string;
	/** Line number, or null while the consumer waits in the pre-queue (before the shuffle). */
	seq: number | null;
}

const purpose = (encryptionSeed: string) => `position-ticket|${encryptionSeed}`;

export async function sealTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	content: TicketContent,
) {
	return sealWithSecret(
		secret,
		purpose(encryptionSeed),
		JSON.stringify({ c: content.consumerId, s: content.seq }),
		distributionId,
	);
}

/** What the ticket says, or null if it is not a ticket of this distribution. */
export async function openTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	ticket: string,
): Promise<TicketContent | null> {
	if (ticket.length > 512) return null;
	const plain = await openWithSecret(secret, purpose(encryptionSeed), ticket, distributionId);
	if (!plain) return null;
	try {
		const { c, s } = JSON.parse(plain) as { c?: unknown; s?: unknown };
		if (typeof c !== "string") return null;
		return { consumerId: c, seq: typeof s === "number" ? s : null };
	} catch {
		return null;
	}
}
