/**
 * EdDSA (Ed25519) JWTs: consumer access tokens, admission grants, receipts and auction heads, verifiable by
 * anyone with the public keys at /.well-known/jwks.json. The private key is the
 * Worker secret JWT_SIGNING_KEY, an Ed25519 private JWK.
 */
import { base64url, fromBase64url } from "./crypto";

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

interface SigningKeys {
	kid: string;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

const cache = new Map<string, Promise<SigningKeys>>();

function loadKeys(secret: string): Promise<SigningKeys> {
	let keys = cache.get(secret);
	if (!keys) {
		keys = (async () => {
			const jwk = JSON.parse(secret) as JsonWebKey;
			if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
				throw new Error("JWT_SIGNING_KEY must be an Ed25519 private JWK");
			}
			// RFC 7638 thumbprint: the required members in lexicographic order (crv, kty, x), no whitespace.
			const pub = { crv: "Ed25519", kty: "OKP", x: jwk.x };
			const thumb = await crypto.subtle.digest("SHA-256", encoder.encode(JSON.stringify(pub)));
			const kid = base64url(new Uint8Array(thumb));
			const algorithm = { name: "Ed25519" };
			const privateKey = await crypto.subtle.importKey("jwk", { ...pub, d: jwk.d }, algorithm, false, ["sign"]);
			const publicKey = await crypto.subtle.importKey("jwk", pub, algorithm, true, ["verify"]);
			return {
				kid,
				privateKey,
				publicKey,
				publicJwk: { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" },
			};
		})();
		cache.set(secret, keys);
	}
	return keys;
}

export async function jwks(secret: string) {
	return { keys: [(await loadKeys(secret)).publicJwk] };
}

const encodeJson = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

export async function signToken(
	secret: string,
	claims: Omit<TokenClaims, "iss" | "iat"> & { iat?: number },
): Promise<string> {
	const keys = await loadKeys(secret);
	const header = encodeJson({ alg: "EdDSA", typ: "JWT", kid: keys.kid });
	const body = encodeJson({ iss: ISSUER, iat: Math.floor(Date.now() / 1000), ...claims });
	const signature = await crypto.subtle.sign("Ed25519", keys.privateKey, encoder.encode(`${header}.${body}`));
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

async function verifyUncached(secret: string, token: string, kind: TokenKind, now: number, allowExpired: boolean) {
	const parts = token.split(".");
	if (parts.length !== 3 || token.length > 4096) return null;
	const [headerText, bodyText, sigText] = parts;
	const signature = fromBase64url(sigText);
	const keys = await loadKeys(secret);
	if (signature?.byteLength !== 64) return null;
	const valid = await crypto.subtle.verify(
		"Ed25519",
		keys.publicKey,
		signature,
		encoder.encode(`${headerText}.${bodyText}`),
	);
	if (!valid) return null;
	try {
		const header = JSON.parse(new TextDecoder().decode(fromBase64url(headerText) ?? new Uint8Array()));
		const claims = JSON.parse(new TextDecoder().decode(fromBase64url(bodyText) ?? new Uint8Array())) as TokenClaims;
		if (header.alg !== "EdDSA" || header.kid !== keys.kid) return null;
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
