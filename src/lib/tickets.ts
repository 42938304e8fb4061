/**
 * Position tickets — the spec's "consumer position encoding": opaque to the shopper,
 * AES-GCM encrypted with a key derived from the deployment secret and the
 * distribution's encryptionSeed, and bound to that distribution (as authenticated
 * data) and to one consumer. They carry the consumer's line number, so a worker can
 * compute a waiting consumer's place without asking the queue's object. A ticket from
 * another distribution, or an edited one, does not decrypt.
 */
import { decrypt, deriveKey, encrypt } from "./crypto";

export interface TicketContent {
	consumerId: string;
	/** Line number, or null while the consumer waits in the pre-queue (before the shuffle). */
	seq: number | null;
}

const key = (secret: string, encryptionSeed: string) => deriveKey(secret, `position-ticket|${encryptionSeed}`, "aes");

export async function sealTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	content: TicketContent,
) {
	return encrypt(
		await key(secret, encryptionSeed),
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
	const plain = await decrypt(await key(secret, encryptionSeed), ticket, distributionId);
	if (!plain) return null;
	try {
		const { c, s } = JSON.parse(plain) as { c?: unknown; s?: unknown };
		if (typeof c !== "string") return null;
		return { consumerId: c, seq: typeof s === "number" ? s : null };
	} catch {
		return null;
	}
}
