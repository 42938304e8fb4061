/**
 * The pure rules of who may take part: how a person is recognised across consumer accounts
 * (normalized email and phone), what an access code looks like, and when a code or a
 * consumer is refused. No I/O: the gate (gate.ts) gathers the facts and applies these.
 */

/** Mail providers known to ignore dots in the local part (and aliases of one another). */
const DOTLESS_DOMAINS: Record<string, string> = { "gmail.com": "gmail.com", "googlemail.com": "gmail.com" };

/**
 * One mailbox, one spelling: lower-cased and trimmed; `+tag` dropped (sub-addressing, which
 * nearly every provider delivers to the same mailbox); for Gmail, dots dropped and googlemail.com
 * read as gmail.com. Null for something that is not an address.
 */
export function normalizeEmail(email: string): string | null {
	const text = email.trim().toLowerCase();
	const at = text.lastIndexOf("@");
	if (at <= 0 || at === text.length - 1) return null;
	let local = text.slice(0, at);
	let domain = text.slice(at + 1);
	const plus = local.indexOf("+");
	// "+tag" only: an address that starts with "+" keeps it (nothing would be left).
	if (plus > 0) local = local.slice(0, plus);
	const dotless = DOTLESS_DOMAINS[domain];
	if (dotless) {
		domain = dotless;
		local = local.replaceAll(".", "");
		if (!local) return null;
	}
	return `${local}@${domain}`;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** E.164 (`+15551234567`): spaces, dashes, dots and brackets dropped, a leading `00` read as `+`. Null otherwise. */
export function normalizePhone(phone: string): string | null {
	let text = phone.replace(/[\s\-.()]/g, "");
	if (text.startsWith("00")) text = `+${text.slice(2)}`;
	return E164.test(text) ? text : null;
}

export type IdentityKind = "email" | "phone";
export interface Identity {
	kind: IdentityKind;
	value: string;
}

/** What recognises this consumer as a person: its normalized email and phone, those it has. */
export function identitiesOf(consumer: { email: string | null; phone: string | null }): Identity[] {
	const out: Identity[] = [];
	const email = consumer.email ? normalizeEmail(consumer.email) : null;
	if (email) out.push({ kind: "email", value: email });
	const phone = consumer.phone ? normalizePhone(consumer.phone) : null;
	if (phone) out.push({ kind: "phone", value: phone });
	return out;
}

/** Which of this consumer's identities another consumer already holds in the distribution (email first), or null. */
export function collidingIdentity(
	consumerId: string,
	holders: readonly { kind: IdentityKind; consumerId: string }[],
): IdentityKind | null {
	const taken = holders.filter((h) => h.consumerId !== consumerId).map((h) => h.kind);
	return taken.includes("email") ? "email" : taken.includes("phone") ? "phone" : null;
}

/**
 * Access codes: 16 characters of Crockford's base32 (80 random bits), shown in groups of
 * four (`7KQ2-M9XD-4TRB-HC1E`). Read back forgivingly: case, spaces and dashes do not matter,
 * and O/I/L are the digits they look like.
 */
export const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_LENGTH = 16;

export function normalizeAccessCode(input: string): string | null {
	const text = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
	if (text.length !== CODE_LENGTH) return null;
	for (const ch of text) if (!CODE_ALPHABET.includes(ch)) return null;
	return text;
}

/** A code as the merchant hands it out: four groups of four. */
export const formatAccessCode = (code: string) => code.match(/.{1,4}/g)?.join("-") ?? code;

/** A new code from 16 random base32 characters (each byte's low five bits: uniform, no bias). */
export function generateAccessCode(random: Uint8Array = crypto.getRandomValues(new Uint8Array(CODE_LENGTH))): string {
	let out = "";
	for (const byte of random.subarray(0, CODE_LENGTH)) out += CODE_ALPHABET[byte & 31];
	return out;
}

export type CodeStatus = "active" | "used_up" | "expired" | "revoked";

export interface CodeFacts {
	maxUses: number;
	uses: number;
	expiresAt: number | null;
	revokedAt: number | null;
}

/** A code's status at `now`: revoked wins over expired, expired over used up. */
export function codeStatus(code: CodeFacts, now: number): CodeStatus {
	if (code.revokedAt !== null) return "revoked";
	if (code.expiresAt !== null && code.expiresAt <= now) return "expired";
	return code.uses >= code.maxUses ? "used_up" : "active";
}

export type CodeRefusal = "code_invalid" | "code_revoked" | "code_expired" | "code_used_up";

/**
 * Why this consumer cannot get in with this code, or null when it can. A consumer already
 * bound to the code gets in while it is live, used up or not (its use was counted when it bound).
 */
export function codeRefusal(code: CodeFacts | null, boundToConsumer: boolean, now: number): CodeRefusal | null {
	if (!code) return "code_invalid";
	const status = codeStatus(code, now);
	if (status === "revoked") return "code_revoked";
	if (status === "expired") return "code_expired";
	if (status === "used_up" && !boundToConsumer) return "code_used_up";
	return null;
}
