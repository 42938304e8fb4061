/**
 * Offline verification of admission grants: EdDSA (Ed25519) JWTs checked with WebCrypto
 * against the deployment's JWKS (`/.well-known/jwks.json`). Signature, `iss`
 * (`fanfare-edge`), `typ` (`admission`) and `exp` are checked here; whether the grant
 * was already used only the online check (`admissions.validate`) can tell.
 */

import { fromBase64url, utf8 } from "./encoding.js";
import { FanfareVerificationError } from "./errors.js";
import type { AdmissionClaims } from "./types.js";

export const ISSUER = "fanfare-edge";

export interface Jwk {
	kty: string;
	crv?: string;
	x?: string;
	kid?: string;
	alg?: string;
	use?: string;
}

export interface Jwks {
	keys: Jwk[];
}

export interface VerifyAdmissionOptions {
	/** Also require the grant to be for this distribution (`dist`). */
	distributionId?: string;
	/** Also require the grant to be for this consumer (`sub`). */
	consumerId?: string;
	/** Seconds of clock skew tolerated on `exp` and `iat` (default 0). */
	clockToleranceSeconds?: number;
	/** The time to check against, in ms (default `Date.now()`). */
	now?: number;
}

const decoder = new TextDecoder();

function fail(reason: ConstructorParameters<typeof FanfareVerificationError>[0], message: string): never {
	throw new FanfareVerificationError(reason, message);
}

function decodeJson(part: string): Record<string, unknown> {
	const bytes = fromBase64url(part);
	if (!bytes) fail("malformed", "Not a JWT: a part is not base64url");
	try {
		const value = JSON.parse(decoder.decode(bytes));
		if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
	} catch {
		// fall through
	}
	return fail("malformed", "Not a JWT: a part is not a JSON object");
}

/**
 * Resolves the public keys of a JWKS, caching them for `ttlMs` and refetching when a
 * token names a `kid` it does not know (key rotation adds the new key first).
 */
export class JwksCache {
	private keys: Promise<Map<string, CryptoKey>> | undefined;
	private fetchedAt = 0;

	constructor(
		private readonly load: () => Promise<Jwks>,
		private readonly ttlMs = 5 * 60_000,
		private readonly minRefreshMs = 30_000,
	) {}

	private refresh(): Promise<Map<string, CryptoKey>> {
		this.fetchedAt = Date.now();
		const loading = this.load().then(importKeys);
		// A failed fetch is not cached: the next verification tries again.
		loading.catch(() => {
			if (this.keys === loading) this.keys = undefined;
		});
		this.keys = loading;
		return loading;
	}

	async key(kid: string | undefined): Promise<CryptoKey | undefined> {
		const age = Date.now() - this.fetchedAt;
		let keys = this.keys && age < this.ttlMs ? await this.keys : await this.refresh();
		const pick = (m: Map<string, CryptoKey>) =>
			kid === undefined && m.size === 1 ? [...m.values()][0] : m.get(kid ?? "");
		if (!pick(keys) && Date.now() - this.fetchedAt >= this.minRefreshMs) keys = await this.refresh();
		return pick(keys);
	}
}

async function importKeys(jwks: Jwks): Promise<Map<string, CryptoKey>> {
	const out = new Map<string, CryptoKey>();
	for (const jwk of jwks.keys ?? []) {
		if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.x) continue;
		if (jwk.alg && jwk.alg !== "EdDSA" && jwk.alg !== "Ed25519") continue;
		const key = await crypto.subtle.importKey(
			"jwk",
			{ kty: "OKP", crv: "Ed25519", x: jwk.x },
			{ name: "Ed25519" },
			false,
			["verify"],
		);
		out.set(jwk.kid ?? "", key);
	}
	return out;
}

/**
 * The claims of a JWT this deployment signed (EdDSA under a key of its JWKS, issuer
 * `fanfare-edge`), of any kind and whatever its expiry — or a `FanfareVerificationError`
 * (`reason`: malformed, unknown_key, signature, issuer). Draw receipts and seals are checked with it.
 */
export async function verifySignature(token: string, keys: JwksCache): Promise<Record<string, unknown>> {
	const parts = typeof token === "string" ? token.split(".") : [];
	if (parts.length !== 3 || token.length > 8192) fail("malformed", "Not a JWT");
	const [headerText, bodyText, sigText] = parts;
	const header = decodeJson(headerText);
	const claims = decodeJson(bodyText);
	const signature = fromBase64url(sigText);
	if (signature?.byteLength !== 64) fail("malformed", "Not an Ed25519 signature");
	if (header.alg !== "EdDSA" && header.alg !== "Ed25519") fail("malformed", `Unexpected alg ${String(header.alg)}`);
	const kid = typeof header.kid === "string" ? header.kid : undefined;
	const key = await keys.key(kid);
	if (!key) fail("unknown_key", `No key ${kid ?? "(none)"} in the JWKS`);
	const signed = utf8.encode(`${headerText}.${bodyText}`);
	const valid = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, signed);
	if (!valid) fail("signature", "The signature does not match");
	if (claims.iss !== ISSUER) fail("issuer", `Issuer is not ${ISSUER}`);
	return claims;
}

/**
 * The claims of a genuine, unexpired admission grant, or a `FanfareVerificationError`
 * (`reason`: malformed, unknown_key, signature, issuer, type, expired, not_yet_valid, distribution, consumer).
 */
export async function verifyAdmissionToken(
	token: string,
	keys: JwksCache,
	options: VerifyAdmissionOptions = {},
): Promise<AdmissionClaims> {
	const claims = await verifySignature(token, keys);
	if (claims.typ !== "admission") fail("type", "Not an admission grant");
	if (typeof claims.sub !== "string" || typeof claims.dist !== "string") fail("malformed", "Missing sub or dist");
	const now = (options.now ?? Date.now()) / 1000;
	const skew = options.clockToleranceSeconds ?? 0;
	if (typeof claims.exp !== "number" || claims.exp + skew <= now) fail("expired", "The grant has expired");
	if (typeof claims.iat === "number" && claims.iat - skew > now + 60) fail("not_yet_valid", "Issued in the future");
	if (options.distributionId !== undefined && claims.dist !== options.distributionId) {
		fail("distribution", "The grant is for another distribution");
	}
	if (options.consumerId !== undefined && claims.sub !== options.consumerId) {
		fail("consumer", "The grant is for another consumer");
	}
	return claims as unknown as AdmissionClaims;
}
