/**
 * Consumer access tokens minted by the bench with the worker's own signing key, in the
 * shape src/lib/tokens.ts + src/lib/access-tokens.ts produce: EdDSA JWT, header
 * {alg, typ, kid}, claims {iss, sub, org, typ: "consumer", iat, exp}. The `kid` is taken
 * from the running worker's /.well-known/jwks.json, so it matches whatever the product computes.
 */
import { createHash, createPrivateKey, randomBytes, sign } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID (48-bit time + 80 random bits, Crockford base32). */
export function ulid(now = Date.now()) {
	let time = "";
	for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
	const bytes = randomBytes(16);
	let rand = "";
	for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i] % 32];
	return time + rand;
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const json64 = (value) => b64url(JSON.stringify(value));

/** RFC 7638 thumbprint of an Ed25519 public JWK: required members in lexicographic order. */
export function rfc7638Thumbprint(jwk) {
	const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
	return b64url(createHash("sha256").update(canonical).digest());
}

export class TokenMinter {
	/** @param {{ jwk: object, kid: string, org: string, ttlSeconds?: number }} opts */
	constructor({ jwk, kid, org, ttlSeconds = 3600 }) {
		this.key = createPrivateKey({ key: jwk, format: "jwk" });
		this.header = json64({ alg: "EdDSA", typ: "JWT", kid });
		this.org = org;
		this.ttl = ttlSeconds;
	}

	/** A token for a brand-new consumer id. */
	mint(consumerId = `con_${ulid()}`) {
		const iat = Math.floor(Date.now() / 1000);
		const body = json64({
			iss: "fanfare-edge",
			sub: consumerId,
			org: this.org,
			typ: "consumer",
			iat,
			exp: iat + this.ttl,
		});
		const input = `${this.header}.${body}`;
		return `${input}.${b64url(sign(null, Buffer.from(input), this.key))}`;
	}
}
