/**
 * The local dev beacon for the test run (vitest globalSetup, in Node): a drand-compatible relay on
 * loopback with a fresh BLS key (src/distributions/draw/dev-beacon.ts), reached by the worker's
 * fetch() over the network, nothing mocked. Provides `beaconUrl` and `beaconPublicKey`; the worker
 * gets them too as DRAND_RELAYS / DRAND_DEV_PUBLIC_KEY with DRAND_CHAIN=dev (vitest.config.ts).
 *
 * Misbehaving relays for the failover tests, each under a path prefix of the same server
 * (`${beaconUrl}/forged` is a relay base URL like any other):
 *   /forged       the honest answer with the signature of another key (randomness recomputed to match)
 *   /wrong-round  a correctly signed answer for the round after the one asked
 *   /garbage      200 with a body that is not JSON
 *   /missing      404 for everything
 *   /hang         answers after 10 s (for per-request timeouts)
 */
import type { Server } from "node:http";
import type { TestProject } from "vitest/node";
import { serveFetch } from "../../scripts/serve-fetch";
import { createDevBeacon, newDevSecretKey, signRound } from "../../src/distributions/draw/dev-beacon";
import { fromHex, hex, sha256 } from "../../src/lib/sha256";

export default async function setup(project: TestProject) {
	// One round a second, as the worker is told (DRAND_DEV_PERIOD in vitest.config.ts).
	const beacon = createDevBeacon({ period: 1 });
	const forger = newDevSecretKey();
	const pending = new Set<ReturnType<typeof setTimeout>>();
	const { server, url } = await serveFetch(async (request) => {
		const original = new URL(request.url);
		const [, prefix] = original.pathname.split("/");
		const inner = (path: string) => beacon.fetch(new Request(new URL(path, original), request));
		switch (prefix) {
			case "missing":
				return new Response("Not found", { status: 404 });
			case "garbage":
				return new Response("<html>Service temporarily unavailable</html>", { status: 200 });
			case "hang":
				await new Promise((resolve) => pending.add(setTimeout(resolve, 10_000)));
				return inner(original.pathname.slice("/hang".length));
			case "forged": {
				const answer = await inner(original.pathname.slice("/forged".length));
				if (!answer.ok) return answer;
				const { round } = (await answer.json()) as { round: number };
				const signature = signRound(forger, round);
				return Response.json({ round, randomness: hex(sha256(fromHex(signature))), signature });
			}
			case "wrong-round": {
				const path = original.pathname.slice("/wrong-round".length).replace(/\d+$/, (n) => String(Number(n) + 1));
				return inner(path);
			}
			default:
				return beacon.fetch(request);
		}
	});
	project.provide("beaconUrl", url);
	project.provide("beaconPublicKey", beacon.chain.publicKey);
	return () => close(server, pending);
}

function close(server: Server, pending: Set<ReturnType<typeof setTimeout>>) {
	for (const timer of pending) clearTimeout(timer);
	server.closeAllConnections();
	return new Promise<void>((resolve) => server.close(() => resolve()));
}
