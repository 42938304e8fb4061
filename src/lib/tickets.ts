/**
 * Position tickets — the spec's "consumer position encoding": opaque to the shopper,
 * AES-GCM encrypted with a key derived from the deployment secret and the
 * distribution's encryptionSeed, and bound to that distribution (as authenticated
 * data) and to one consumer. A ticket from another distribution or an edited one
 * does not decrypt.
 */
import { decrypt, deriveKey, encrypt } from "./crypto";

const key = (secret: string, encryptionSeed: string) => deriveKey(secret, `position-ticket|${encryptionSeed}`, "aes");

export async function sealTicket(secret: string, encryptionSeed: string, distributionId: string, consumerId: string) {
	return encrypt(await key(secret, encryptionSeed), JSON.stringify({ c: consumerId }), distributionId);
}

/** The consumer the ticket was issued to, or null if it is not a ticket of this distribution. */
export async function openTicket(
	secret: string,
	encryptionSeed: string,
	distributionId: string,
	ticket: string,
): Promise<string | null> {
	if (ticket.length > 512) return null;
	const plain = await decrypt(await key(secret, encryptionSeed), ticket, distributionId);
	if (!plain) return null;
	try {
		const { c } = JSON.parse(plain) as { c?: unknown };
		return typeof c === "string" ? c : null;
	} catch {
		return null;
	}
}
