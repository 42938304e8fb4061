/**
 * A local drand-compatible beacon, for `npm run dev` and the tests: the same HTTP shape as drand's v1
 * relays (`GET /{chainHash}/info`, `/{chainHash}/public/{round}`, `/{chainHash}/public/latest`, and
 * the same without the chain hash), the same scheme (unchained G1, `beacon.ts`), but its own BLS key.
 * Its chain is `devChain(publicKey)`: `dev: true` and a hash that includes "fanfare-edge dev chain",
 * so nothing it signs verifies against quicknet and no proof built on it can pass for one.
 *
 * A plain `fetch(request)` handler, with no server of its own: Node serves it in
 * test/support/beacon.global.ts and scripts/dev-beacon.ts. Every past round can be signed at once
 * (unchained: a round's signature depends on the round only), so the chain is "complete" from
 * genesis; a future round is 425 Too Early, as drand's relays answer, and the very next one is held
 * until its time, as theirs are.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { fromHex, hex, sha256 } from "../../lib/sha256";
import { BEACON_DST, type BeaconChain, DEV_CHAIN_LABEL, devChain, roundMessage, roundTime, SCHEME_ID } from "./beacon";

export type DevBeacon = {
	/** The dev chain this beacon signs (no relays: the caller knows where it serves it). */
	chain: BeaconChain;
	/** drand's v1 chain info JSON. */
	info: Record<string, unknown>;
	/** Hex signature of `round`. */
	sign(round: number): string;
	fetch(request: Request): Promise<Response>;
};

const bls = bls12_381.shortSignatures;

/** A fresh dev secret key (32 bytes, hex): keep it out of logs. */
export function newDevSecretKey(): string {
	return hex(bls.keygen().secretKey);
}

/** The dev beacon's signature of `round` under `secretKey` (hex). */
export function signRound(secretKey: string, round: number): string {
	return bls.Signature.toHex(bls.sign(bls.hash(roundMessage(round), BEACON_DST), fromHex(secretKey)));
}

export function createDevBeacon(
	options: { secretKey?: string; period?: number; genesisTime?: number; now?: () => number } = {},
): DevBeacon {
	const secretKey = options.secretKey ?? newDevSecretKey();
	const publicKey = bls.getPublicKey(fromHex(secretKey)).toHex(true);
	const chain = devChain(publicKey, [], options);
	const now = options.now ?? Date.now;
	const info = {
		public_key: chain.publicKey,
		period: chain.period,
		genesis_time: chain.genesisTime,
		hash: chain.hash,
		groupHash: chain.hash,
		schemeID: SCHEME_ID,
		metadata: { beaconID: DEV_CHAIN_LABEL },
	};
	const sign = (round: number) => signRound(secretKey, round);
	const json = (body: unknown, headers: Record<string, string> = {}) =>
		new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json", ...headers } });
	const beacon = (round: number, cache: string) => {
		const signature = sign(round);
		return json({ round, randomness: hex(sha256(fromHex(signature))), signature }, { "Cache-Control": cache });
	};
	const latest = () => Math.floor((now() / 1000 - chain.genesisTime) / chain.period) + 1;

	async function handle(request: Request): Promise<Response> {
		if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405 });
		const parts = new URL(request.url).pathname.split("/").filter(Boolean);
		if (parts[0] === chain.hash) parts.shift();
		else if (/^[0-9a-f]{64}$/i.test(parts[0] ?? "")) return new Response("Unknown chain hash", { status: 404 });
		if (parts.length === 1 && parts[0] === "info") return json(info);
		if (parts.length !== 2 || parts[0] !== "public") return new Response("Not found", { status: 404 });
		if (parts[1] === "latest")
			return latest() >= 1 ? beacon(latest(), "no-cache") : new Response(null, { status: 404 });
		if (!/^\d{1,15}$/.test(parts[1])) return new Response("Failed to parse round parameter", { status: 400 });
		const round = Number(parts[1]);
		if (round === 0) return beacon(Math.max(1, latest()), "no-cache");
		const wait = roundTime(chain, round) - now();
		if (wait > chain.period * 1000) {
			return new Response("Requested future beacon", {
				status: 425,
				headers: { "Cache-Control": `must-revalidate, public, max-age=${Math.ceil(wait / 1000)}` },
			});
		}
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
		return beacon(round, "public, max-age=604800, immutable");
	}

	return { chain, info, sign, fetch: handle };
}
