/**
 * Where a webhook may be sent (checked when an endpoint is registered or its URL changed, and
 * again before every delivery):
 *
 * - **Production** (`ALLOW_PRIVATE_WEBHOOKS` not "true"): https only; the host is neither a
 *   non-public address literal (addresses.ts), nor a local or metadata name, nor this deployment's
 *   own hostname; and every A and AAAA record of a name, looked up with DNS-over-HTTPS
 *   (`WEBHOOK_DNS_RESOLVER`, Cloudflare's JSON API), is public. A name that does not resolve is refused.
 * - **Local development and tests** (`ALLOW_PRIVATE_WEBHOOKS=true`, set by `npm run dev` and
 *   vitest.config.ts): loopback, private and local hosts are allowed, over http too, so a local
 *   receiver works; public hosts still need https. Cloud metadata is refused in both.
 *
 * DNS can change between the check and the connection (rebinding): delivery checks again, but
 * a Worker's fetch() resolves the name itself, so a name with a 0 s TTL can still flip in between.
 */
import { addressClass, hostClass, normalHost } from "./addresses";

const DEFAULT_RESOLVER = "https://cloudflare-dns.com/dns-query";
const RESOLVE_TIMEOUT_MS = 3_000;
/** Lookups are cached per isolate this long (deliveries to one endpoint do not each cost two DNS queries). */
const CACHE_MS = 60_000;
const CACHE_MAX = 1_000;

type DestinationEnv = { ALLOW_PRIVATE_WEBHOOKS?: string; WEBHOOK_DNS_RESOLVER?: string };

export interface Policy {
	/** Local development: loopback, private and local hosts allowed, http to them too. */
	allowPrivate: boolean;
	/** This deployment's hostname (the request's), refused as a destination; null when unknown (delivery). */
	ownHost: string | null;
}

export const policyOf = (env: DestinationEnv, ownHost: string | null = null): Policy => ({
	allowPrivate: env.ALLOW_PRIVATE_WEBHOOKS === "true",
	ownHost,
});

const NOT_PUBLIC = "webhooks are delivered to public hosts only";

/** RFC 1123 host names: labels of 1–63 letters, digits and inner hyphens, 253 characters in all. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Why this URL may not receive webhooks, as far as can be told without DNS; null when it may. */
export function urlRefusal(raw: string, policy: Policy): string | null {
	if (!URL.canParse(raw)) return "Must be an absolute https URL";
	const url = new URL(raw);
	if (url.protocol !== "https:" && url.protocol !== "http:") return "Must be an https URL";
	const host = normalHost(url.hostname);
	const { kind, cls } = hostClass(url.hostname);
	// A name DNS cannot hold would reach the resolver and come back as "unavailable" (503), not a 400.
	if (kind === "name" && !HOST_NAME.test(host)) return `${host} is not a valid host name`;
	if (cls === "cloud metadata") return `${host} is a cloud metadata ${kind}; ${NOT_PUBLIC}`;
	if (policy.allowPrivate) {
		// Local development: a local receiver over http is fine, a public host still needs TLS.
		return url.protocol === "https:" || cls ? null : "Must be an https URL (http only for local hosts)";
	}
	if (url.protocol !== "https:") return "Must be an https URL";
	if (cls) return `${host} is a ${cls} ${kind}; ${NOT_PUBLIC}`;
	if (policy.ownHost && host === normalHost(policy.ownHost)) {
		return `${host} is this deployment's own hostname; webhooks cannot be sent to it`;
	}
	return null;
}

/** The resolver could not answer (network, timeout, SERVFAIL): neither allowed nor refused. */
export class ResolverUnavailable extends Error {
	constructor() {
		super("The DNS resolver could not be reached");
	}
}

interface DohAnswer {
	Status: number;
	Answer?: { type: number; data: string }[];
}

const cache = new Map<string, { at: number; addresses: string[] }>();

/** Every A and AAAA address of `host` (CNAMEs followed by the resolver); [] when it does not exist. */
export async function resolveHost(env: DestinationEnv, host: string): Promise<string[]> {
	const hit = cache.get(host);
	if (hit && Date.now() - hit.at < CACHE_MS) return hit.addresses;
	const base = env.WEBHOOK_DNS_RESOLVER || DEFAULT_RESOLVER;
	const lookups = ["A", "AAAA"].map(async (type) => {
		let body: DohAnswer;
		try {
			const res = await fetch(`${base}?name=${encodeURIComponent(host)}&type=${type}`, {
				headers: { Accept: "application/dns-json" },
				signal: AbortSignal.timeout(RESOLVE_TIMEOUT_MS),
			});
			if (!res.ok) throw new ResolverUnavailable();
			body = await res.json();
		} catch {
			throw new ResolverUnavailable();
		}
		// 0 NOERROR, 3 NXDOMAIN; anything else (SERVFAIL, REFUSED) says nothing about the name.
		if (body.Status !== 0 && body.Status !== 3) throw new ResolverUnavailable();
		return (body.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data);
	});
	const addresses = (await Promise.all(lookups)).flat();
	if (cache.size >= CACHE_MAX) cache.clear();
	cache.set(host, { at: Date.now(), addresses });
	return addresses;
}

/**
 * Why this URL may not receive webhooks now, DNS included; null when it may.
 * Throws ResolverUnavailable when the answer depends on a lookup that failed.
 */
export async function destinationRefusal(env: DestinationEnv, raw: string, ownHost: string | null = null) {
	const policy = policyOf(env, ownHost);
	const refusal = urlRefusal(raw, policy);
	if (refusal || policy.allowPrivate) return refusal;
	const host = normalHost(new URL(raw).hostname);
	if (addressClass(host) !== undefined) return null; // a public address literal: nothing to resolve
	const addresses = await resolveHost(env, host);
	if (!addresses.length) return `${host} does not resolve to any address`;
	for (const address of addresses) {
		const cls = addressClass(address);
		if (cls !== null) return `${host} resolves to a ${cls ?? "malformed"} address; ${NOT_PUBLIC}`;
	}
	return null;
}
