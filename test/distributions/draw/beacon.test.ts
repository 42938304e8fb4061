import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import {
	BEACON_DST,
	type BeaconChain,
	beaconRound,
	chainFromEnv,
	DEV_CHAIN_LABEL,
	devChain,
	devChainHash,
	type FetchLike,
	fetchRound,
	QUICKNET,
	retryDelayMs,
	roundAt,
	roundTime,
	SEAL_MARGIN_MS,
	sealMarginFromEnv,
	verifyRound,
} from "../../../src/distributions/draw/beacon";
import { createDevBeacon } from "../../../src/distributions/draw/dev-beacon";
import vector from "../../vectors/drand-quicknet.json";

const real = vector.rounds[0];
const beaconUrl = inject("beaconUrl");
const devKey = inject("beaconPublicKey");
/** The test beacon's chain: one round a second (DRAND_DEV_PERIOD=1, as the worker is told). */
const dev = (...relays: string[]) => devChain(devKey, relays, { period: 1 });
/** A round of the dev chain whose time has come (a minute ago). */
const pastRound = (chain: BeaconChain) => roundAt(chain, Date.now() - 60_000);
/**
 * Nothing listens on port 1 of loopback: the connection is refused. workerd logs such a refusal as an
 * "uncaught exception … Network connection lost" even when the fetch's rejection is caught (as
 * fetchRound does), so one test uses it, once.
 */
const REFUSED = "http://127.0.0.1:1";

function flipByte(hexText: string, index: number): string {
	const byte = Number.parseInt(hexText.slice(index * 2, index * 2 + 2), 16) ^ 0x01;
	return hexText.slice(0, index * 2) + byte.toString(16).padStart(2, "0") + hexText.slice(index * 2 + 2);
}

describe("the pinned chain", () => {
	it("QUICKNET is the chain of test/vectors/drand-quicknet.json", () => {
		expect(QUICKNET).toEqual({
			hash: vector.chain.hash,
			publicKey: vector.chain.public_key,
			period: vector.chain.period,
			genesisTime: vector.chain.genesis_time,
			schemeId: vector.chain.schemeID,
			dev: false,
			relays: vector.chain.relays,
		});
		expect(BEACON_DST).toBe(vector.chain.dst);
		expect(Object.isFrozen(QUICKNET)).toBe(true);
	});
});

describe("verifyRound", () => {
	it("takes a measurable time in workerd (printed, not asserted; runs first so its first call is cold)", async () => {
		const times: number[] = [];
		for (let i = 0; i < 5; i++) {
			const started = performance.now();
			await verifyRound(QUICKNET, real);
			// workerd's clock moves only across I/O: a timer tick lets it read the elapsed time.
			await new Promise((resolve) => setTimeout(resolve, 0));
			times.push(performance.now() - started);
		}
		console.log(`verifyRound in workerd: ${times.map((t) => `${t.toFixed(0)} ms`).join(", ")} (first is cold)`);
		expect(times).toHaveLength(5);
	});

	it("verifies the real quicknet round and derives the vector's randomness", async () => {
		const result = await verifyRound(QUICKNET, { round: real.round, signature: real.signature });
		expect(result).toEqual({ ok: true, round: real.round, signature: real.signature, randomness: real.randomness });
		// The relay's randomness is accepted when it is SHA-256(signature), in either case.
		const withRandomness = { ...real, randomness: real.randomness.toUpperCase() };
		expect((await verifyRound(QUICKNET, withRandomness)).ok).toBe(true);
	});

	it("refuses the same signature for the next round", async () => {
		const result = await verifyRound(QUICKNET, { round: real.round + 1, signature: real.signature });
		expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("does not verify for round 657414") });
		expect((await verifyRound(QUICKNET, { round: real.round - 1, signature: real.signature })).ok).toBe(false);
	});

	it("refuses a signature with one flipped byte, wherever it is", async () => {
		for (const index of [0, 1, 20, 47]) {
			const result = await verifyRound(QUICKNET, { round: real.round, signature: flipByte(real.signature, index) });
			expect(result.ok, `byte ${index}`).toBe(false);
		}
	});

	it("refuses under a wrong public key: the dev beacon's, or quicknet's with one flipped byte", async () => {
		const other = { ...QUICKNET, publicKey: devKey };
		expect(await verifyRound(other, real)).toMatchObject({ ok: false });
		const flipped = { ...QUICKNET, publicKey: flipByte(QUICKNET.publicKey, 50) };
		expect(await verifyRound(flipped, real)).toMatchObject({ ok: false });
	});

	it("refuses a relay's randomness that is not SHA-256(signature)", async () => {
		const result = await verifyRound(QUICKNET, { ...real, randomness: flipByte(real.randomness, 0) });
		expect(result).toEqual({ ok: false, reason: "randomness is not SHA-256(signature)" });
	});

	it("refuses malformed input without throwing", async () => {
		for (const bad of [
			{ round: real.round, signature: real.signature.slice(2) },
			{ round: real.round, signature: `zz${real.signature.slice(2)}` },
			{ round: real.round, signature: "00".repeat(48) },
			{ round: 0, signature: real.signature },
			{ round: 1.5, signature: real.signature },
			{ round: -real.round, signature: real.signature },
		]) {
			expect(await verifyRound(QUICKNET, bad), JSON.stringify(bad)).toMatchObject({ ok: false });
		}
		expect(await verifyRound({ ...QUICKNET, schemeId: "pedersen-bls-chained" as never }, real)).toMatchObject({
			ok: false,
			reason: "unsupported scheme pedersen-bls-chained",
		});
	});

	it("a dev beacon's round verifies on its dev chain only", async () => {
		const beacon = createDevBeacon();
		const signed = { round: real.round, signature: beacon.sign(real.round) };
		expect(await verifyRound(beacon.chain, signed)).toMatchObject({ ok: true });
		expect(await verifyRound(QUICKNET, signed)).toMatchObject({ ok: false });
	});
});

describe("round arithmetic", () => {
	const genesisMs = QUICKNET.genesisTime * 1000;
	const t = roundTime(QUICKNET, real.round);

	it("roundTime: round 1 at genesis, one period per round", () => {
		expect(roundTime(QUICKNET, 1)).toBe(genesisMs);
		expect(roundTime(QUICKNET, 2)).toBe(genesisMs + 3000);
		expect(t).toBe((vector.chain.genesis_time + (real.round - 1) * vector.chain.period) * 1000);
	});

	it("roundAt: the first round at or after a time", () => {
		expect(roundAt(QUICKNET, t)).toBe(real.round); // exactly on the round's time
		expect(roundAt(QUICKNET, t - 1)).toBe(real.round);
		expect(roundAt(QUICKNET, t - 2999)).toBe(real.round);
		expect(roundAt(QUICKNET, t - 3000)).toBe(real.round - 1);
		expect(roundAt(QUICKNET, t + 1)).toBe(real.round + 1);
		expect(roundAt(QUICKNET, genesisMs)).toBe(1);
		expect(roundAt(QUICKNET, genesisMs + 1)).toBe(2);
		expect(roundAt(QUICKNET, 0)).toBe(1);
		for (const ms of [t - 1, t, t + 1, t + 1500, Date.now()]) {
			const round = roundAt(QUICKNET, ms);
			expect(roundTime(QUICKNET, round)).toBeGreaterThanOrEqual(ms);
			expect(roundTime(QUICKNET, round - 1)).toBeLessThan(ms);
		}
	});

	it("roundAt agrees with drand's round_at formula exactly on round times", () => {
		const drandRoundAt = (unixSeconds: number) =>
			Math.floor((unixSeconds - vector.chain.genesis_time) / vector.chain.period) + 1;
		for (const round of [1, 2, 1000, real.round]) {
			expect(roundAt(QUICKNET, roundTime(QUICKNET, round))).toBe(drandRoundAt(roundTime(QUICKNET, round) / 1000));
		}
	});

	it("beaconRound: the later of drawAt and closeAt + the seal margin", () => {
		// drawAt long after close: drawAt decides; exactly on a round's time, that round.
		expect(beaconRound(QUICKNET, t - 3_600_000, t)).toBe(real.round);
		expect(beaconRound(QUICKNET, t - 3_600_000, t + 1)).toBe(real.round + 1);
		// drawAt = closeAt: the margin pushes R past drawAt.
		expect(beaconRound(QUICKNET, t, t)).toBe(roundAt(QUICKNET, t + SEAL_MARGIN_MS));
		expect(beaconRound(QUICKNET, t, t)).toBe(real.round + SEAL_MARGIN_MS / 3000);
		// drawAt exactly at closeAt + margin, and one ms either side.
		const close = t - SEAL_MARGIN_MS;
		expect(beaconRound(QUICKNET, close, t)).toBe(real.round);
		expect(beaconRound(QUICKNET, close + 1, t)).toBe(real.round + 1);
		expect(beaconRound(QUICKNET, close, t - 1)).toBe(real.round);
		// Another margin for tests that cannot wait.
		expect(beaconRound(QUICKNET, t, t, 0)).toBe(real.round);
		expect(SEAL_MARGIN_MS).toBeGreaterThanOrEqual(60_000);
	});

	it("retryDelayMs: 1 s doubling to a 60 s cap", () => {
		expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map(retryDelayMs)).toEqual([
			1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
		]);
		expect(retryDelayMs(-1)).toBe(1000);
	});
});

describe("the dev chain", () => {
	it("is labelled dev, with a hash of its label and key that no drand chain has", async () => {
		const chain = dev(beaconUrl);
		expect(chain.dev).toBe(true);
		expect(chain.hash).toBe(devChainHash(devKey, 1, QUICKNET.genesisTime));
		expect(chain.hash).not.toBe(QUICKNET.hash);
		const info = (await (await fetch(`${beaconUrl}/${chain.hash}/info`)).json()) as Record<string, unknown>;
		expect(info).toMatchObject({
			public_key: devKey,
			hash: chain.hash,
			period: 1,
			genesis_time: QUICKNET.genesisTime,
			schemeID: "bls-unchained-g1-rfc9380",
			metadata: { beaconID: DEV_CHAIN_LABEL },
		});
	});

	it("answers like a drand relay: latest, a past round, 425 for the future, 404 for another chain", async () => {
		const now = roundTime(QUICKNET, real.round) + 1000;
		const beacon = createDevBeacon({ now: () => now });
		const get = (path: string) => beacon.fetch(new Request(`http://dev${path}`));
		const latest = (await (await get(`/${beacon.chain.hash}/public/latest`)).json()) as { round: number };
		expect(latest.round).toBe(real.round);
		const past = await get(`/${beacon.chain.hash}/public/${real.round - 10}`);
		expect(past.status).toBe(200);
		expect(past.headers.get("Cache-Control")).toContain("immutable");
		expect(await verifyRound(beacon.chain, (await past.json()) as { round: number; signature: string })).toMatchObject({
			ok: true,
		});
		const future = await get(`/${beacon.chain.hash}/public/${real.round + 100}`);
		expect(future.status).toBe(425);
		expect(future.headers.get("Cache-Control")).toMatch(/max-age=29\d/);
		expect((await get(`/public/${real.round}`)).status).toBe(200); // the default chain's paths
		expect((await get(`/${QUICKNET.hash}/public/${real.round}`)).status).toBe(404);
		expect((await get(`/${beacon.chain.hash}/public/abc`)).status).toBe(400);
		expect((await beacon.fetch(new Request("http://dev/info", { method: "POST" }))).status).toBe(405);
	});
});

describe("fetchRound", () => {
	it("gets and verifies a round from the local dev beacon", async () => {
		const chain = dev(beaconUrl);
		const round = pastRound(chain);
		const result = await fetchRound(chain, round);
		expect(result).toMatchObject({ ok: true, round, relay: beaconUrl, failures: [] });
		if (!result.ok) throw new Error("unreachable");
		expect(await verifyRound(chain, result)).toEqual({
			ok: true,
			round,
			signature: result.signature,
			randomness: result.randomness,
		});
	});

	it("moves past a refused connection, a 404 and garbage to the next relay", async () => {
		const chain = dev(REFUSED, `${beaconUrl}/missing`, `${beaconUrl}/garbage/`, beaconUrl);
		const result = await fetchRound(chain, pastRound(chain));
		expect(result).toMatchObject({ ok: true, relay: beaconUrl });
		if (!result.ok) throw new Error("unreachable");
		expect(result.failures.map((f) => [f.relay, f.kind])).toEqual([
			[REFUSED, "network"],
			[`${beaconUrl}/missing`, "http"],
			[`${beaconUrl}/garbage`, "malformed"],
		]);
		expect(result.failures[1].detail).toBe("HTTP 404");
	});

	it("all relays down: a typed failure listing each, no throw", async () => {
		const chain = dev(`${beaconUrl}/missing`, `${beaconUrl}/garbage`, `${beaconUrl}/forged`);
		const result = await fetchRound(chain, pastRound(chain));
		expect(result).toMatchObject({ ok: false, reason: "unavailable" });
		if (result.ok || result.reason !== "unavailable") throw new Error("unreachable");
		expect(result.failures.map((f) => f.kind)).toEqual(["http", "malformed", "invalid"]);
		expect(await fetchRound(dev(), pastRound(chain))).toEqual({ ok: false, reason: "unavailable", failures: [] });
	});

	it("refuses a forged signature and a round other than the one asked, and uses the next relay", async () => {
		const chain = dev(`${beaconUrl}/forged`, `${beaconUrl}/wrong-round`, beaconUrl);
		const round = pastRound(chain);
		const result = await fetchRound(chain, round);
		expect(result).toMatchObject({ ok: true, round, relay: beaconUrl });
		if (!result.ok) throw new Error("unreachable");
		expect(result.failures).toEqual([
			{ relay: `${beaconUrl}/forged`, kind: "invalid", detail: expect.stringContaining("does not verify") },
			{
				relay: `${beaconUrl}/wrong-round`,
				kind: "invalid",
				detail: `asked for round ${round}, got round ${round + 1}`,
			},
		]);
	});

	it("gives up on a relay that does not answer within the timeout", async () => {
		const chain = dev(`${beaconUrl}/hang`, beaconUrl);
		const started = Date.now();
		const result = await fetchRound(chain, pastRound(chain), undefined, { timeoutMs: 300 });
		expect(result).toMatchObject({
			ok: true,
			relay: beaconUrl,
			failures: [{ relay: `${beaconUrl}/hang`, kind: "timeout", detail: "no answer within 300 ms" }],
		});
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it("a round whose time has not come is not-yet, and no relay is asked", async () => {
		let asked = 0;
		const counting: FetchLike = (url, init) => {
			asked++;
			return fetch(url, init);
		};
		const chain = dev(beaconUrl);
		const round = roundAt(chain, Date.now() + 60_000);
		expect(await fetchRound(chain, round, counting)).toEqual({
			ok: false,
			reason: "not-yet",
			availableAt: roundTime(chain, round),
		});
		expect(asked).toBe(0);
		// The same round once its time has come (told by `now`).
		expect(await fetchRound(chain, round, counting, { now: roundTime(chain, round) })).toMatchObject({ ok: false });
		expect(asked).toBe(1); // the beacon itself still says 425: it is not that late yet
	});

	it("a relay answering with another chain's rounds is refused: quicknet never accepts the dev beacon", async () => {
		// A relay that serves the dev beacon's signature under quicknet's path.
		const devHash = dev().hash;
		const lying: FetchLike = (url, init) => fetch(url.replace(QUICKNET.hash, devHash), init);
		const chain = { ...QUICKNET, relays: [beaconUrl] };
		const result = await fetchRound(chain, pastRound(chain), lying);
		expect(result).toMatchObject({ ok: false, reason: "unavailable", failures: [{ kind: "invalid" }] });
	});
});

describe("chainFromEnv", () => {
	it("the test worker is configured for the dev beacon, and fetches through it", async () => {
		const chain = chainFromEnv(env);
		expect(chain).toEqual(dev(beaconUrl));
		expect(await fetchRound(chain, pastRound(chain))).toMatchObject({ ok: true });
	});

	it("DRAND_DEV_PERIOD sets the dev chain's period (1–60 s); DRAW_SEAL_MARGIN_MS shortens the margin on a dev chain only", () => {
		const base = { DRAND_CHAIN: "dev", DRAND_RELAYS: beaconUrl, DRAND_DEV_PUBLIC_KEY: devKey };
		expect(chainFromEnv({ ...base, DRAND_DEV_PERIOD: "2" }).period).toBe(2);
		for (const bad of ["0", "61", "1.5", "x"]) {
			expect(() => chainFromEnv({ ...base, DRAND_DEV_PERIOD: bad })).toThrow(/DRAND_DEV_PERIOD/);
		}
		expect(sealMarginFromEnv({ DRAW_SEAL_MARGIN_MS: "1000" }, dev(beaconUrl))).toBe(1000);
		expect(sealMarginFromEnv({ DRAW_SEAL_MARGIN_MS: "1000" }, QUICKNET), "quicknet keeps its margin").toBe(
			SEAL_MARGIN_MS,
		);
		expect(() => sealMarginFromEnv({ DRAW_SEAL_MARGIN_MS: "-1" }, dev(beaconUrl))).toThrow(/DRAW_SEAL_MARGIN_MS/);
	});

	it("defaults to quicknet and its relays; other relays by DRAND_RELAYS", () => {
		expect(chainFromEnv({})).toBe(QUICKNET);
		expect(chainFromEnv({ DRAND_CHAIN: "quicknet", DRAND_RELAYS: " https://a.example/, https://b.example ," })).toEqual(
			{
				...QUICKNET,
				relays: ["https://a.example", "https://b.example"],
			},
		);
	});

	it("refuses a misconfiguration", () => {
		expect(() => chainFromEnv({ DRAND_CHAIN: "mainnet" })).toThrow(/quicknet.*dev/);
		expect(() => chainFromEnv({ DRAND_CHAIN: "dev", DRAND_RELAYS: beaconUrl })).toThrow(/DRAND_DEV_PUBLIC_KEY/);
		expect(() => chainFromEnv({ DRAND_CHAIN: "dev", DRAND_DEV_PUBLIC_KEY: devKey })).toThrow(/DRAND_RELAYS/);
		expect(() => chainFromEnv({ DRAND_RELAYS: "ftp://relay" })).toThrow(/not an http/);
	});
});
