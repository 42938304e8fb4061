/**
 * The public randomness a draw is ranked by: one round of a drand beacon chain.
 *
 * Owns: the pinned chain (`QUICKNET`, and the local dev chain's shape), round ↔ time arithmetic, the
 * round R a draw fixes at creation (`beaconRound`), BLS verification of a round against the pinned
 * public key (`verifyRound`), and fetching a round from the relays in order (`fetchRound`) with the
 * backoff between attempts (`retryDelayMs`). No storage and no clock of its own beyond `Date.now()`
 * for "has R come yet": the draw object stores R and the verified round.
 *
 * The scheme is drand's unchained G1 one (`bls-unchained-g1-rfc9380`): message = SHA-256(round as
 * 8-byte big-endian), signature = a compressed G1 point (48 bytes) under RFC 9380 hash-to-curve with
 * the DST below, public key = a compressed G2 point (96 bytes); randomness = SHA-256(signature).
 * Times are Unix milliseconds; a chain's `period` and `genesisTime` are seconds, as drand publishes them.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { fromHex, hex, sha256, utf8 } from "../../lib/sha256";

export const SCHEME_ID = "bls-unchained-g1-rfc9380";
export const BEACON_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

export type BeaconChain = {
	/** drand chain hash (hex); for the dev chain `devChainHash(…)`, never a real chain's. */
	readonly hash: string;
	/** Compressed G2 public key, hex (192 characters). */
	readonly publicKey: string;
	/** Seconds between rounds. */
	readonly period: number;
	/** Unix seconds of round 1. */
	readonly genesisTime: number;
	readonly schemeId: typeof SCHEME_ID;
	/** true for the local dev chain: a proof built on it must say so, it proves nothing to the public. */
	readonly dev: boolean;
	/** Relay base URLs, tried in order. */
	readonly relays: readonly string[];
};

/** drand quicknet (League of Entropy mainnet), pinned: test/vectors/drand-quicknet.json is the reference. */
export const QUICKNET: BeaconChain = Object.freeze({
	hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
	publicKey:
		"83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
	period: 3,
	genesisTime: 1692803367,
	schemeId: SCHEME_ID,
	dev: false,
	relays: Object.freeze(["https://drand.cloudflare.com", "https://api.drand.sh"]),
});

/**
 * Time between `closeAt` and the earliest beacon round a draw may use. The seal (size and root of
 * the entry log) must be published before R exists, or whoever seals could see the randomness
 * first. With the draw-v2 log the root is known after every entry, so sealing any draw is one
 * read and one write in the closing alarm (the v1 tree took 52.8 s for a million entries); the
 * margin covers a late or retried alarm, an evicted object and the webhook's first attempt. The
 * draw still checks that its seal came before roundTime(R), and moves R on (a `rules` record in
 * the log) otherwise: the margin makes that rare, not impossible.
 */
export const SEAL_MARGIN_MS = 120_000;

/** Per relay request; after it the next relay is asked. */
export const RELAY_TIMEOUT_MS = 5_000;

/** Unix ms at which `round` is produced (round 1 at genesis). */
export function roundTime(chain: BeaconChain, round: number): number {
	return (chain.genesisTime + (round - 1) * chain.period) * 1000;
}

/**
 * The first round whose time is at or after `unixMs` (round 1 for any time up to genesis). Note:
 * drand's own `round_at` is the latest round at or before a time; the two agree exactly on a round's
 * time and differ by one between rounds. A draw needs this one: a round that cannot exist yet.
 */
export function roundAt(chain: BeaconChain, unixMs: number): number {
	const since = unixMs - chain.genesisTime * 1000;
	return since <= 0 ? 1 : Math.ceil(since / (chain.period * 1000)) + 1;
}

/** The round R a draw fixes at creation: the first at or after both `drawAt` and `closeAt` + margin. */
export function beaconRound(
	chain: BeaconChain,
	closeAt: number,
	drawAt: number,
	sealMarginMs = SEAL_MARGIN_MS,
): number {
	return roundAt(chain, Math.max(drawAt, closeAt + sealMarginMs));
}

/** Delay before retry `attempt` (0-based) when no relay gave the round: 1 s doubling, capped at 60 s. */
export function retryDelayMs(attempt: number): number {
	return Math.min(60_000, 1000 * 2 ** Math.min(6, Math.max(0, Math.floor(attempt))));
}

/** drand's message for a round in unchained mode: SHA-256 of the round number as 8 bytes, big-endian. */
export function roundMessage(round: number): Uint8Array {
	const bytes = new Uint8Array(8);
	new DataView(bytes.buffer).setBigUint64(0, BigInt(round));
	return sha256(bytes);
}

export type BeaconRound = { round: number; signature: string; randomness?: string };
export type VerifiedRound = { ok: true; round: number; signature: string; randomness: string };
export type Refused = { ok: false; reason: string };

const HEX_SIGNATURE = /^[0-9a-f]{96}$/i;
const HEX_32 = /^[0-9a-f]{64}$/i;

/**
 * Checks `signature` is the chain's BLS signature of `round`, then derives its randomness. A
 * relay's own `randomness` is never trusted, only compared: it must equal SHA-256(signature).
 */
export async function verifyRound(chain: BeaconChain, beacon: BeaconRound): Promise<VerifiedRound | Refused> {
	const { round } = beacon;
	if (chain.schemeId !== SCHEME_ID) return { ok: false, reason: `unsupported scheme ${chain.schemeId}` };
	if (!Number.isSafeInteger(round) || round < 1) return { ok: false, reason: `round must be a positive integer` };
	if (typeof beacon.signature !== "string" || !HEX_SIGNATURE.test(beacon.signature)) {
		return { ok: false, reason: "signature must be 48 bytes of hex" };
	}
	const signature = beacon.signature.toLowerCase();
	const bls = bls12_381.shortSignatures;
	let valid: boolean;
	try {
		valid = bls.verify(fromHex(signature), bls.hash(roundMessage(round), BEACON_DST), fromHex(chain.publicKey));
	} catch (error) {
		// Decoding refuses bytes that are not a point of the right subgroup (signature or key).
		return { ok: false, reason: `signature or public key is not a valid point (${(error as Error).message})` };
	}
	if (!valid) return { ok: false, reason: `signature does not verify for round ${round} under chain ${chain.hash}` };
	const randomness = hex(sha256(fromHex(signature)));
	if (beacon.randomness !== undefined && String(beacon.randomness).toLowerCase() !== randomness) {
		return { ok: false, reason: "randomness is not SHA-256(signature)" };
	}
	return { ok: true, round, signature, randomness };
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;
export type RelayFailure = {
	relay: string;
	kind: "network" | "timeout" | "http" | "malformed" | "invalid";
	detail: string;
};
/** A verified round, the relay that gave it, and what the relays before it said. */
export type FetchedRound = VerifiedRound & { relay: string; failures: RelayFailure[] };
export type FetchFailure =
	| { ok: false; reason: "not-yet"; availableAt: number }
	| { ok: false; reason: "unavailable"; failures: RelayFailure[] };

// A bound default: Workers refuse a detached `fetch` called as a plain function.
const defaultFetch: FetchLike = (url, init) => fetch(url, init);

/**
 * Round `round` from the chain's relays, in order, the first that gives a round that verifies.
 * Never throws for a relay's failure: each one's is listed. A round whose time has not come is
 * "not-yet" without asking anyone (no relay can have it; one that did would be lying).
 */
export async function fetchRound(
	chain: BeaconChain,
	round: number,
	fetcher: FetchLike = defaultFetch,
	options: { timeoutMs?: number; now?: number } = {},
): Promise<FetchedRound | FetchFailure> {
	const availableAt = roundTime(chain, round);
	if (availableAt > (options.now ?? Date.now())) return { ok: false, reason: "not-yet", availableAt };
	const failures: RelayFailure[] = [];
	for (const base of chain.relays) {
		const relay = base.replace(/\/+$/, "");
		const failure = (kind: RelayFailure["kind"], detail: string) => failures.push({ relay, kind, detail });
		let body: string;
		try {
			const response = await fetcher(`${relay}/${chain.hash}/public/${round}`, {
				headers: { Accept: "application/json" },
				signal: AbortSignal.timeout(options.timeoutMs ?? RELAY_TIMEOUT_MS),
			});
			body = await response.text();
			if (!response.ok) {
				failure("http", `HTTP ${response.status}`);
				continue;
			}
		} catch (error) {
			const timedOut = (error as Error)?.name === "TimeoutError" || (error as Error)?.name === "AbortError";
			if (timedOut) failure("timeout", `no answer within ${options.timeoutMs ?? RELAY_TIMEOUT_MS} ms`);
			else failure("network", String((error as Error)?.message ?? error));
			continue;
		}
		const parsed = parseRound(body);
		if (typeof parsed === "string") {
			failure("malformed", parsed);
			continue;
		}
		if (parsed.round !== round) {
			failure("invalid", `asked for round ${round}, got round ${parsed.round}`);
			continue;
		}
		const verified = await verifyRound(chain, parsed);
		if (!verified.ok) {
			failure("invalid", verified.reason);
			continue;
		}
		return { ...verified, relay, failures };
	}
	return { ok: false, reason: "unavailable", failures };
}

function parseRound(body: string): BeaconRound | string {
	let json: unknown;
	try {
		json = JSON.parse(body);
	} catch {
		return "not JSON";
	}
	if (typeof json !== "object" || json === null) return "not a JSON object";
	const { round, signature, randomness } = json as Record<string, unknown>;
	if (typeof round !== "number" || typeof signature !== "string") return "no numeric round and string signature";
	if (randomness !== undefined && (typeof randomness !== "string" || !HEX_32.test(randomness))) {
		return "randomness is not 32 bytes of hex";
	}
	return { round, signature, randomness: randomness as string | undefined };
}

/** The label in every dev chain's hash: no proof on the dev chain can pass for quicknet's. */
export const DEV_CHAIN_LABEL = "fanfare-edge dev chain";

/** SHA-256 of the label, public key, period and genesis: unique to the dev key, and not a drand chain hash. */
export function devChainHash(publicKey: string, period: number, genesisTime: number): string {
	return hex(sha256(utf8(`${DEV_CHAIN_LABEL}\n${publicKey.toLowerCase()}\n${period}\n${genesisTime}`)));
}

/** The local dev chain for a dev beacon's public key: quicknet's timing unless told otherwise. */
export function devChain(
	publicKey: string,
	relays: readonly string[],
	timing: { period?: number; genesisTime?: number } = {},
): BeaconChain {
	const period = timing.period ?? QUICKNET.period;
	const genesisTime = timing.genesisTime ?? QUICKNET.genesisTime;
	return Object.freeze({
		hash: devChainHash(publicKey, period, genesisTime),
		publicKey: publicKey.toLowerCase(),
		period,
		genesisTime,
		schemeId: SCHEME_ID,
		dev: true,
		relays: Object.freeze([...relays]),
	});
}

export type BeaconEnv = {
	DRAND_CHAIN?: string;
	DRAND_RELAYS?: string;
	DRAND_DEV_PUBLIC_KEY?: string;
	DRAND_DEV_PERIOD?: string;
	DRAW_SEAL_MARGIN_MS?: string;
};

/**
 * The chain a deployment uses. `DRAND_CHAIN`: "quicknet" (default) or "dev"; `DRAND_RELAYS`:
 * comma-separated relay URLs (default: quicknet's two; required for dev); `DRAND_DEV_PUBLIC_KEY`:
 * the dev beacon's public key (dev only); `DRAND_DEV_PERIOD`: the dev chain's seconds per round
 * (default quicknet's 3). Throws on a misconfiguration rather than drawing on a chain nobody meant.
 */
export function chainFromEnv(env: BeaconEnv): BeaconChain {
	const relays = (env.DRAND_RELAYS ?? "")
		.split(",")
		.map((url) => url.trim().replace(/\/+$/, ""))
		.filter(Boolean);
	for (const url of relays)
		if (!/^https?:\/\/[^/]/.test(url)) throw new Error(`DRAND_RELAYS: not an http(s) URL: ${url}`);
	const name = env.DRAND_CHAIN?.trim() || "quicknet";
	if (name === "quicknet") return relays.length ? { ...QUICKNET, relays: Object.freeze(relays) } : QUICKNET;
	if (name !== "dev") throw new Error(`DRAND_CHAIN must be "quicknet" or "dev", not ${JSON.stringify(name)}`);
	const key = env.DRAND_DEV_PUBLIC_KEY?.trim() ?? "";
	if (!/^[0-9a-f]{192}$/i.test(key)) throw new Error("DRAND_CHAIN=dev needs DRAND_DEV_PUBLIC_KEY (96 bytes of hex)");
	if (!relays.length) throw new Error("DRAND_CHAIN=dev needs DRAND_RELAYS (the dev beacon's URL)");
	const period = env.DRAND_DEV_PERIOD ? Number(env.DRAND_DEV_PERIOD) : undefined;
	if (period !== undefined && !(Number.isInteger(period) && period >= 1 && period <= 60)) {
		throw new Error("DRAND_DEV_PERIOD must be a whole number of seconds from 1 to 60");
	}
	return devChain(key, relays, { period });
}

/**
 * The seal margin in force: SEAL_MARGIN_MS, except on the dev chain, where DRAW_SEAL_MARGIN_MS may
 * shorten it (the tests draw seconds after close). Every proof states the margin its draw used.
 */
export function sealMarginFromEnv(env: BeaconEnv, chain: BeaconChain): number {
	if (!chain.dev || !env.DRAW_SEAL_MARGIN_MS) return SEAL_MARGIN_MS;
	const ms = Number(env.DRAW_SEAL_MARGIN_MS);
	if (!(Number.isInteger(ms) && ms >= 0 && ms <= SEAL_MARGIN_MS)) {
		throw new Error(`DRAW_SEAL_MARGIN_MS must be a whole number of ms from 0 to ${SEAL_MARGIN_MS}`);
	}
	return ms;
}
