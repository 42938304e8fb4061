/** Small WebCrypto helpers shared by keys, cursors, idempotency and tokens. */
const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let out = "";
	for (const b of view) out += b.toString(16).padStart(2, "0");
	return out;
}

export function base64url(bytes: Uint8Array): string {
	// String.fromCharCode over chunks: far cheaper per byte than `for…of` concatenation on the hot path.
	let bin = "";
	for (let i = 0; i < bytes.length; i += 0x8000) {
		bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
	}
	return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Strict base64url (RFC 4648 §5, unpadded): the unused low bits of a last partial character
 * must be zero, so every byte string has exactly one spelling — `atob` alone would accept
 * 4 or 16 spellings of the same token.
 */
export function fromBase64url(text: string): Uint8Array | null {
	if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
	const tail = text.length % 4;
	if (tail && BASE64URL_ALPHABET.indexOf(text[text.length - 1]) & (tail === 2 ? 0x0f : 0x03)) return null;
	try {
		const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
		const out = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
		return out;
	} catch {
		return null;
	}
}

export async function sha256Hex(text: string): Promise<string> {
	return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** A string's UTF-16 code units as bytes: unlike UTF-8, distinct strings never encode alike (lone surrogates). */
const codeUnits = (s: string) =>
	new Uint8Array(Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)).buffer);

/** Constant-time string equality (length is not secret: every caller compares fixed-length values). */
export function timingSafeEqual(a: string, b: string): boolean {
	const ab = codeUnits(a);
	const bb = codeUnits(b);
	if (ab.byteLength !== bb.byteLength) {
		crypto.subtle.timingSafeEqual(ab, ab);
		return false;
	}
	return crypto.subtle.timingSafeEqual(ab, bb);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Uniform random base62 string (rejection sampling, no modulo bias). */
export function randomToken(length: number): string {
	let out = "";
	while (out.length < length) {
		for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
			if (b < 248 && out.length < length) out += BASE62[b % 62];
		}
	}
	return out;
}

const derivedKeys = new Map<string, Promise<CryptoKey>>();

/** One version of the deployment secret (lib/secrets.ts reads them from APP_SECRET). */
export interface SecretVersion {
	version: number;
	secret: string;
}

/**
 * A purpose-bound key derived from one version of the deployment secret with HKDF, so one
 * leaked derived key (say, the cursor key) reveals nothing about the others. Takes a version,
 * not the raw APP_SECRET value: what is made with it must name that version (lib/secrets.ts).
 */
export function deriveKey({ secret }: SecretVersion, purpose: string, usage: "hmac" | "aes"): Promise<CryptoKey> {
	const cacheKey = `${usage}:${purpose}:${secret}`;
	let key = derivedKeys.get(cacheKey);
	if (!key) {
		key = (async () => {
			const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
			const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encoder.encode(purpose) };
			return usage === "hmac"
				? crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, [
						"sign",
						"verify",
					])
				: crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
		})();
		derivedKeys.set(cacheKey, key);
	}
	return key;
}

export async function hmac(key: CryptoKey, data: string): Promise<Uint8Array> {
	return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(data)));
}

export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

export async function encrypt(key: CryptoKey, plaintext: string, aad = ""): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt(
		{ name: "AES-GCM", iv, additionalData: encoder.encode(aad) },
		key,
		encoder.encode(plaintext),
	);
	const out = new Uint8Array(12 + sealed.byteLength);
	out.set(iv);
	out.set(new Uint8Array(sealed), 12);
	return base64url(out);
}

/** Null for anything that is not an untampered ciphertext of this key and `aad`. */
export async function decrypt(key: CryptoKey, sealed: string, aad = ""): Promise<string | null> {
	const bytes = fromBase64url(sealed);
	if (!bytes || bytes.byteLength < 28) return null;
	try {
		const plain = await crypto.subtle.decrypt(
			{ name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: encoder.encode(aad) },
			key,
			bytes.slice(12),
		);
		return new TextDecoder().decode(plain);
	} catch {
		return null;
	}
}
