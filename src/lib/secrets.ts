/**
 * The deployment secret `APP_SECRET`, versioned so it can be rotated without breaking what it
 * protects. Every key derived from it (ciphertexts: position tickets, stored idempotent replies,
 * webhook signing secrets, encrypted settings; MACs: list cursors) names the version it was made
 * with, so a reader picks the right secret; new writes use the active version.
 *
 * The Worker secret holds one of:
 *  - a plain string (what every deployment had before versioning): version 1, active;
 *  - a ring, JSON: `{"secrets":[{"version":2,"state":"active","secret":"…"},{"version":1,"state":"retired","secret":"…"}]}`
 *    — exactly one `active` version (writes and reads), any number of `next` (reads only: added one
 *    deploy before it becomes active, so an isolate still on the old configuration can read what
 *    a new one writes) and `retired` (reads only, until nothing written with it is left).
 * Data written before versioning carries no version: it reads as version 1.
 * A value starting with `{` is always read as a ring, and a malformed ring is an error, never
 * silently a new plain secret (that would make everything stored unreadable).
 */
import { decrypt, deriveKey, encrypt, type SecretVersion } from "./crypto";

export type SecretState = "next" | "active" | "retired";

export interface SecretRing {
	/** The version new writes use. */
	active: SecretVersion;
	byVersion: ReadonlyMap<number, SecretVersion>;
}

const rings = new Map<string, SecretRing>();

/** Why a ring is refused: names the position and the rule, never a secret. */
export class SecretConfigError extends Error {
	override name = "SecretConfigError";
}

function parseRing(config: string): SecretRing {
	if (!config) throw new SecretConfigError("APP_SECRET is empty");
	if (!config.startsWith("{")) {
		const only = { version: 1, secret: config };
		return { active: only, byVersion: new Map([[1, only]]) };
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(config);
	} catch {
		throw new SecretConfigError("APP_SECRET starts with { but is not JSON");
	}
	const list = (parsed as { secrets?: unknown })?.secrets;
	if (!Array.isArray(list) || list.length === 0) {
		throw new SecretConfigError('APP_SECRET ring: expected {"secrets": [{version, state, secret}, …]}');
	}
	const byVersion = new Map<number, SecretVersion>();
	let active: SecretVersion | null = null;
	list.forEach((entry: { version?: unknown; state?: unknown; secret?: unknown }, i) => {
		const { version, state, secret } = entry ?? {};
		if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > 0x7fffffff) {
			throw new SecretConfigError(`APP_SECRET ring, entry ${i}: version must be an integer from 1`);
		}
		if (state !== "next" && state !== "active" && state !== "retired") {
			throw new SecretConfigError(`APP_SECRET ring, entry ${i}: state must be next, active or retired`);
		}
		if (typeof secret !== "string" || secret.length < 16) {
			throw new SecretConfigError(`APP_SECRET ring, entry ${i}: secret must be a string of 16 characters or more`);
		}
		if (byVersion.has(version)) throw new SecretConfigError(`APP_SECRET ring: version ${version} appears twice`);
		const v = { version, secret };
		byVersion.set(version, v);
		if (state === "active") {
			if (active) throw new SecretConfigError("APP_SECRET ring: more than one active version");
			active = v;
		}
	});
	if (!active) throw new SecretConfigError("APP_SECRET ring: no active version");
	return { active, byVersion };
}

/** The ring `config` (the APP_SECRET value) describes, parsed once per isolate. */
export function secretRing(config: string): SecretRing {
	let ring = rings.get(config);
	if (!ring) {
		ring = parseRing(config);
		rings.set(config, ring);
	}
	return ring;
}

// ── failures are logged, never silent ────────────────────────────────────

export type OpenFailure = "unknown_version" | "authentication";

const LOG_WINDOW_MS = 60_000;
const LOG_PER_WINDOW = 20;
const logged = new Map<string, { windowStart: number; count: number }>();

/**
 * One line per failed decryption or MAC check of a well-formed value: what it was (the purpose's
 * name, never its seed), the version it named, and why. At most 20 a minute per purpose and reason
 * per isolate, so a flood of forged tickets cannot flood the log; the first line past that says so.
 */
export function logOpenFailure(purpose: string, version: number, reason: OpenFailure): void {
	const what = purpose.split("|")[0];
	// Not keyed by version: a forged value can name any version, and each would get its own 20 lines.
	const key = `${what}|${reason}`;
	const now = Date.now();
	let slot = logged.get(key);
	if (!slot || now - slot.windowStart >= LOG_WINDOW_MS) {
		slot = { windowStart: now, count: 0 };
		logged.set(key, slot);
	}
	slot.count++;
	if (slot.count > LOG_PER_WINDOW + 1) return;
	const detail =
		reason === "unknown_version"
			? `made with APP_SECRET version ${version}, which is not in the configured ring`
			: `does not authenticate under APP_SECRET version ${version} (altered, or not made by this deployment)`;
	console.warn(
		JSON.stringify({
			level: "warn",
			message: "decryption failed",
			purpose: what,
			secretVersion: version,
			reason,
			detail,
			...(slot.count > LOG_PER_WINDOW
				? { suppressed: "further failures like this one are not logged this minute" }
				: {}),
		}),
	);
}

// ── versioned values ──────────────────────────────────────────────────────

const VERSIONED = /^v([1-9][0-9]{0,9})\.(.*)$/s;

/**
 * The version a value names and the rest of it: `v<N>.<rest>`. A value without the prefix is from
 * before versioning (base64url never contains a dot), so version 1.
 */
export function splitVersion(value: string): { version: number; rest: string } {
	const m = VERSIONED.exec(value);
	return m ? { version: Number(m[1]), rest: m[2] } : { version: 1, rest: value };
}

export const withVersion = (version: number, rest: string) => `v${version}.${rest}`;

/** The secret of `version`, or null (logged) when the ring no longer holds it. */
export function secretOf(config: string, version: number, purpose: string): SecretVersion | null {
	const v = secretRing(config).byVersion.get(version);
	if (!v) logOpenFailure(purpose, version, "unknown_version");
	return v ?? null;
}

/** AES-GCM under the active version's key for `purpose`, bound to `aad`: `v<N>.<base64url(iv ‖ ciphertext)>`. */
export async function sealWithSecret(config: string, purpose: string, plaintext: string, aad = ""): Promise<string> {
	const { active } = secretRing(config);
	return withVersion(active.version, await encrypt(await deriveKey(active, purpose, "aes"), plaintext, aad));
}

/**
 * What `sealWithSecret` sealed, under whichever listed version it names — or null: not a sealed
 * value, its version is gone from the ring, or it does not authenticate (the last two are logged).
 */
export async function openWithSecret(
	config: string,
	purpose: string,
	sealed: string,
	aad = "",
): Promise<string | null> {
	const { version, rest } = splitVersion(sealed);
	// Shorter than an IV and a tag: not a sealed value at all, nothing to log.
	if (rest.length < 38) return null;
	const secret = secretOf(config, version, purpose);
	if (!secret) return null;
	const plain = await decrypt(await deriveKey(secret, purpose, "aes"), rest, aad);
	if (plain === null) logOpenFailure(purpose, version, "authentication");
	return plain;
}

/** Whether `sealed` was made with an older version than the active one (so a sweep should seal it again). */
export const isStale = (config: string, sealed: string) =>
	splitVersion(sealed).version !== secretRing(config).active.version;

/** The version new writes use. */
export const activeVersion = (config: string) => secretRing(config).active.version;
