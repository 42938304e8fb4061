/**
 * EdDSA (Ed25519) JWTs: consumer access tokens, admission grants, receipts, seals and auction heads,
 * verifiable by anyone with the public keys at /.well-known/jwks.json. Signed by the active key of
 * the keyring in the Worker secret JWT_SIGNING_KEY (lib/signing-keys.ts); every token names its
 * key (`kid`) and is verified with that key only — a kid the ring does not hold is refused.
 */
import { base64url, fromBase64url } from "./crypto";
import { signingRing } from "./signing-keys";

export const ISSUER = "fanfare-edge";
const encoder = new TextEncoder();

/** `typ` keeps the kinds apart: an access token is never accepted as a grant, or the reverse. */
export type TokenKind = "consumer" | "admission" | "receipt" | "draw-seal" | "auction-head";

export interface TokenClaims {
	iss: string;
	sub: string;
	org: string;
	typ: TokenKind;
	iat: number;
	exp: number;
	jti?: string;
	/** Consumer access tokens the merchant issued (POST /api/v1/consumers/:id/tokens), never a guest's: `verified` launches take only these. */
	vouched?: boolean;
	/** Consumer access tokens and the admission grants handed out with them: the merchant's session they are bound to. */
	sid?: string;
	/** Admission grants and receipts: the distribution they concern. */
	dist?: string;
	/** Draw receipts: the entry. */
	entry?: string;
	/** Draw receipts and seals: the log record (receipts), the log's size and root then, and the beacon round R; auction heads: the log had `seq` entries, the last with hash `head`. */
	seq?: number;
	size?: number;
	root?: string;
	round?: number;
	head?: string;
}

/** The public keys of every key in the ring (next, active, retired): what /.well-known/jwks.json serves. */
export async function jwks(secret: string) {
	return (await signingRing(secret)).jwks;
}

const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

export async function signToken(
	secret: string,
	claims: Omit<TokenClaims, "iss" | "iat"> & { iat?: number },
): Promise<string> {
	const { active } = await signingRing(secret);
	const header = encodeJson({ alg: "EdDSA", typ: "JWT", kid: active.kid });
	const body = encodeJson({ iss: ISSUER, iat: Math.floor(Date.now() / 1000), ...claims });
	const signature = await crypto.subtle.sign("Ed25519", active.privateKey, encoder.encode(`${header}.${body}`));
	return `${header}.${body}.${base64url(new Uint8Array(signature))}`;
}

/**
 * The claims of a token this deployment signed, of the expected kind and not
 * expired (unless `allowExpired`, for telling a merchant *why* a grant fails) — or
 * null. Any altered byte fails the signature check.
 */
/**
 * Tokens already verified in this isolate: a shopper polling its status every few
 * seconds should not pay for an Ed25519 verification each time. Keyed by the whole
 * token, so a changed byte is a miss; expiry is still checked on every hit.
 */
const verifiedBySecret = new Map<string, Map<string, TokenClaims>>();
const VERIFIED_MAX = 20_000;

export async function verifyToken(
	secret: string,
	token: string,
	kind: TokenKind,
	options: { now?: number; allowExpired?: boolean } = {},
) {
	const now = options.now ?? Date.now();
	let verified = verifiedBySecret.get(secret);
	if (!verified) {
		// A new keyring (a rotation): what the old one verified is checked again, under this one.
		verifiedBySecret.clear();
		verified = new Map();
		verifiedBySecret.set(secret, verified);
	}
	const hit = verified.get(token);
	if (hit && hit.typ === kind && (options.allowExpired || hit.exp * 1000 > now)) return hit;
	const claims = await verifyUncached(secret, token, kind, now, options.allowExpired ?? false);
	if (claims) {
		if (verified.size >= VERIFIED_MAX) verified.clear();
		verified.set(token, claims);
	}
	return claims;
}

const decodeJson = (text: string) => JSON.parse(new TextDecoder().decode(fromBase64url(text) ?? new Uint8Array()));

async function verifyUncached(secret: string, token: string, kind: TokenKind, now: number, allowExpired: boolean) {
	const parts = token.split(".");
	if (parts.length !== 3 || token.length > 4096) return null;
	const [headerText, bodyText, sigText] = parts;
	const signature = fromBase64url(sigText);
	if (signature?.byteLength !== 64) return null;
	const ring = await signingRing(secret);
	try {
		const header = decodeJson(headerText);
		// The key the token names, and only that one: an unknown kid (a removed key, another deployment's) fails.
		const key = header?.alg === "EdDSA" && typeof header.kid === "string" ? ring.byKid.get(header.kid) : undefined;
		if (!key) return null;
		const valid = await crypto.subtle.verify(
			"Ed25519",
			key.publicKey,
			signature,
			encoder.encode(`${headerText}.${bodyText}`),
		);
		if (!valid) return null;
		const claims = decodeJson(bodyText) as TokenClaims;
		if (
			claims.iss !== ISSUER ||
			claims.typ !== kind ||
			typeof claims.sub !== "string" ||
			typeof claims.org !== "string"
		) {
			return null;
		}
		if (typeof claims.exp !== "number" || (!allowExpired && claims.exp * 1000 <= now)) return null;
		return claims;
	} catch {
		return null;
	}
}
