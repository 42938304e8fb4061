/**
 * The token signing keyring: Ed25519 keys selected by `kid`, read from the Worker secret
 * JWT_SIGNING_KEY, which holds one of:
 *  - one Ed25519 private JWK (what every deployment had before the ring): a ring of that key,
 *    active, its kid the RFC 7638 thumbprint (as always, so tokens already out keep verifying);
 *  - a JWK Set of them, each with a `state` member: `{"keys":[{…jwk, "state":"active"}, {…jwk, "state":"next"}]}`.
 *    `kid` is optional (the thumbprint again: moving today's key into a ring keeps its kid).
 *    - `next`: published in the JWKS, signs nothing yet — verifiers (and isolates still on the previous
 *      configuration) learn it before the first token it signs reaches them;
 *    - `active` (exactly one): signs every new token, receipt, seal and head;
 *    - `retired`: signs nothing, still published and verifying until the longest-lived thing it
 *      signed has expired; needs only its public part (`x`), so its `d` can be dropped.
 * A key not in the ring verifies nothing: a token naming an unknown kid is refused.
 */
import { base64url } from "./crypto";

export type KeyState = "next" | "active" | "retired";

export interface PublicJwk {
	kty: "OKP";
	crv: "Ed25519";
	x: string;
	kid: string;
	alg: "EdDSA";
	use: "sig";
}

export interface RingKey {
	kid: string;
	state: KeyState;
	publicKey: CryptoKey;
	publicJwk: PublicJwk;
}

export interface SigningRing {
	active: RingKey & { privateKey: CryptoKey };
	byKid: ReadonlyMap<string, RingKey>;
	/** The JWKS: every key of the ring, active first, then next, then retired. */
	jwks: { keys: PublicJwk[] };
}

/** Why a ring is refused: names the position and the rule, never key material. */
export class SigningKeyConfigError extends Error {
	override name = "SigningKeyConfigError";
}

const encoder = new TextEncoder();
const ORDER: Record<KeyState, number> = { active: 0, next: 1, retired: 2 };

type JwkEntry = JsonWebKey & { kid?: unknown; state?: unknown };

async function thumbprint(x: string): Promise<string> {
	// RFC 7638: the required members in lexicographic order (crv, kty, x), no whitespace.
	const pub = { crv: "Ed25519", kty: "OKP", x };
	return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(JSON.stringify(pub)))));
}

async function loadKey(jwk: JwkEntry, state: KeyState, where: string, keepKid: boolean) {
	if (jwk?.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
		throw new SigningKeyConfigError(`JWT_SIGNING_KEY${where}: not an Ed25519 JWK (kty OKP, crv Ed25519, x)`);
	}
	if (state === "active" && typeof jwk.d !== "string") {
		throw new SigningKeyConfigError(`JWT_SIGNING_KEY${where}: the active key needs its private part (d)`);
	}
	if (keepKid && jwk.kid !== undefined && (typeof jwk.kid !== "string" || !/^[\x21-\x7e]{1,128}$/.test(jwk.kid))) {
		throw new SigningKeyConfigError(`JWT_SIGNING_KEY${where}: kid must be 1 to 128 printable characters`);
	}
	const pub = { kty: "OKP", crv: "Ed25519", x: jwk.x };
	const kid = keepKid && typeof jwk.kid === "string" ? jwk.kid : await thumbprint(jwk.x);
	const algorithm = { name: "Ed25519" };
	let publicKey: CryptoKey;
	let privateKey: CryptoKey | undefined;
	try {
		publicKey = await crypto.subtle.importKey("jwk", pub, algorithm, true, ["verify"]);
		if (state === "active")
			privateKey = await crypto.subtle.importKey("jwk", { ...pub, d: jwk.d }, algorithm, false, ["sign"]);
	} catch {
		throw new SigningKeyConfigError(`JWT_SIGNING_KEY${where}: the key does not import as Ed25519`);
	}
	const publicJwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x: jwk.x, kid, alg: "EdDSA", use: "sig" };
	return { kid, state, publicKey, privateKey, publicJwk };
}

async function parseRing(config: string): Promise<SigningRing> {
	let parsed: { keys?: unknown } & JwkEntry;
	try {
		parsed = JSON.parse(config);
	} catch {
		throw new SigningKeyConfigError("JWT_SIGNING_KEY is not JSON (an Ed25519 private JWK, or a JWK Set of them)");
	}
	const single = !Array.isArray(parsed?.keys);
	const entries: JwkEntry[] = single ? [{ ...parsed, state: "active" }] : (parsed.keys as JwkEntry[]);
	if (entries.length === 0) throw new SigningKeyConfigError("JWT_SIGNING_KEY: the ring has no keys");
	const keys = await Promise.all(
		entries.map((jwk, i) => {
			const state = jwk?.state;
			if (state !== "next" && state !== "active" && state !== "retired") {
				throw new SigningKeyConfigError(`JWT_SIGNING_KEY, key ${i}: state must be next, active or retired`);
			}
			return loadKey(jwk, state, single ? "" : `, key ${i}`, !single);
		}),
	);
	const byKid = new Map<string, RingKey>();
	for (const k of keys) {
		if (byKid.has(k.kid)) throw new SigningKeyConfigError(`JWT_SIGNING_KEY: kid ${k.kid} appears twice`);
		byKid.set(k.kid, k);
	}
	const actives = keys.filter((k) => k.state === "active");
	if (actives.length !== 1) throw new SigningKeyConfigError("JWT_SIGNING_KEY: the ring needs exactly one active key");
	const [active] = actives;
	return {
		active: { ...active, privateKey: active.privateKey as CryptoKey },
		byKid,
		jwks: { keys: [...keys].sort((a, b) => ORDER[a.state] - ORDER[b.state]).map((k) => k.publicJwk) },
	};
}

const rings = new Map<string, Promise<SigningRing>>();

/** The ring `config` (the JWT_SIGNING_KEY value) describes, imported once per isolate. */
export function signingRing(config: string): Promise<SigningRing> {
	let ring = rings.get(config);
	if (!ring) {
		ring = parseRing(config);
		rings.set(config, ring);
		// A refused configuration is not cached: the error surfaces on every use, not once.
		ring.catch(() => rings.delete(config));
	}
	return ring;
}
