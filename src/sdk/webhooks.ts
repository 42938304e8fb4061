/**
 * Standard Webhooks verification (https://www.standardwebhooks.com), on WebCrypto only:
 * `webhook-signature: v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>`
 * (several space-separated signatures allowed, e.g. during secret rotation), the secret
 * given as `whsec_<base64>`, and a timestamp within 5 minutes of now.
 */

import { constantTimeEqual, fromBase64, toBase64, utf8 } from "./encoding.js";
import { FanfareVerificationError } from "./errors.js";
import type { WebhookEvent } from "./types.js";

/** A `Headers` object, or a plain record such as Node's `req.headers`. */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/** The raw request body, exactly as received: verify before parsing. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

export interface VerifyWebhookOptions {
	/** Largest accepted distance between the timestamp and now, in seconds (default 300). */
	toleranceSeconds?: number;
	/** The time to check against, in ms (default `Date.now()`). */
	now?: number;
}

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

function header(headers: HeadersLike, name: string): string | undefined {
	if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
	const record = headers as Record<string, string | string[] | undefined>;
	const key = Object.keys(record).find((k) => k.toLowerCase() === name);
	const value = key === undefined ? undefined : record[key];
	return Array.isArray(value) ? value.join(" ") : value;
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
	const bytes = fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
	if (!bytes?.length) throw new TypeError("The webhook secret must be whsec_ followed by base64");
	return bytes;
}

function bodyBytes(body: WebhookBody): Uint8Array {
	if (typeof body === "string") return utf8.encode(body);
	return body instanceof Uint8Array ? body : new Uint8Array(body);
}

/** The `v1,<base64>` signature of a payload (what the server sends), e.g. to test your endpoint. */
export async function signWebhook(secret: string, id: string, timestamp: number, body: WebhookBody): Promise<string> {
	return `v1,${toBase64(await mac(secret, id, String(timestamp), bodyBytes(body)))}`;
}

async function mac(secret: string, id: string, timestamp: string, body: Uint8Array): Promise<Uint8Array> {
	const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
		"sign",
	]);
	const prefix = utf8.encode(`${id}.${timestamp}.`);
	const signed = new Uint8Array(prefix.length + body.length);
	signed.set(prefix);
	signed.set(body, prefix.length);
	return new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
}

/**
 * Checks a delivery's signature and timestamp, then returns its parsed JSON payload.
 * Throws `FanfareVerificationError` (`reason`: missing_headers, timestamp, signature,
 * malformed) for anything forged, altered, replayed late or unsigned.
 */
export async function verifyWebhook<D = Record<string, unknown>>(
	headers: HeadersLike,
	body: WebhookBody,
	secret: string,
	options: VerifyWebhookOptions = {},
): Promise<WebhookEvent<D>> {
	const id = header(headers, "webhook-id");
	const timestamp = header(headers, "webhook-timestamp");
	const signatures = header(headers, "webhook-signature");
	if (!id || !timestamp || !signatures) {
		throw new FanfareVerificationError(
			"missing_headers",
			"Missing webhook-id, webhook-timestamp or webhook-signature header",
		);
	}
	if (!/^\d{1,12}$/.test(timestamp)) throw new FanfareVerificationError("timestamp", "Invalid webhook-timestamp");
	const now = Math.floor((options.now ?? Date.now()) / 1000);
	const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
	const ts = Number(timestamp);
	if (now - ts > tolerance) throw new FanfareVerificationError("timestamp", "Message timestamp too old");
	if (ts - now > tolerance) throw new FanfareVerificationError("timestamp", "Message timestamp too new");

	const raw = bodyBytes(body);
	const expected = await mac(secret, id, timestamp, raw);
	let matched = false;
	for (const candidate of signatures.split(" ")) {
		const [version, value] = candidate.split(",", 2);
		if (version !== "v1" || !value) continue;
		const given = fromBase64(value);
		// Every candidate is compared in full, so timing does not reveal which one matched.
		if (given && constantTimeEqual(given, expected)) matched = true;
	}
	if (!matched) throw new FanfareVerificationError("signature", "No matching signature found");
	try {
		return JSON.parse(new TextDecoder().decode(raw)) as WebhookEvent<D>;
	} catch {
		throw new FanfareVerificationError("malformed", "The payload is not JSON");
	}
}
