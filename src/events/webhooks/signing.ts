/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): headers
 * `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature: v1,<base64
 * HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`, where the secret is `whsec_` +
 * base64 of its bytes — so the public `standardwebhooks` verifiers accept them. While a
 * rotated secret is in its grace period the header carries one signature per secret, separated
 * by a space (`v1,<new> v1,<previous>`), as the specification allows.
 */
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export function newWebhookSecret(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(24));
	return `whsec_${toBase64(bytes)}`;
}

export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
	const raw = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
	const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
	return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The `webhook-signature` header: one `v1,` signature per secret, newest first. */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string) {
	return (await Promise.all(secrets.map((s) => signWebhook(s, id, timestamp, body)))).join(" ");
}

/** An endpoint's `events` list matches a type exactly, by `prefix.*`, or with `*`. */
export function subscribed(patterns: string[], type: string): boolean {
	return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && type.startsWith(p.slice(0, -1))));
}
