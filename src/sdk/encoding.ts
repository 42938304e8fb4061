/** Base64 helpers and a constant-time compare, on nothing but `atob`/`btoa` (every runtime has them). */

export const utf8 = new TextEncoder();

export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
	try {
		return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
	} catch {
		return null;
	}
}

export function toBase64(bytes: Uint8Array): string {
	let bin = "";
	for (const b of bytes) bin += String.fromCharCode(b);
	return btoa(bin);
}

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Strict unpadded base64url: one spelling per byte string (the unused low bits must be zero). */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
	if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
	const tail = text.length % 4;
	if (tail && BASE64URL_ALPHABET.indexOf(text[text.length - 1]) & (tail === 2 ? 0x0f : 0x03)) return null;
	const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
	return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

/** Equality whose time depends only on the lengths, never on where the bytes differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i % (b.length || 1)] ?? 0);
	return diff === 0;
}
