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

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
	if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
	const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
	return fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}

/** Equality whose time depends only on the lengths, never on where the bytes differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i % (b.length || 1)] ?? 0);
	return diff === 0;
}
