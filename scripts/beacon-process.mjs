// The local dev beacon (scripts/dev-beacon.ts) as a child process, for `npm run dev` and the
// node/browser suites that run the real worker: started on a loopback port, ready once it
// answers, with the worker variables that point a deployment at it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bls12_381 } from "@noble/curves/bls12-381.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A fresh dev beacon secret key (32 bytes hex, a valid BLS12-381 scalar). Keep it out of logs. */
export const newBeaconSecret = () =>
	Buffer.from(bls12_381.shortSignatures.keygen(randomBytes(48)).secretKey).toString("hex");

/**
 * Starts the dev beacon on `port` (0: any free one) with `secretKey`; resolves once it serves
 * its chain info. `vars` are the worker's DRAND_* variables for it; `stop()` ends it.
 */
export async function startDevBeacon({ secretKey, port = 0, period } = {}) {
	const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "dev-beacon.ts")], {
		cwd: ROOT,
		env: {
			...process.env,
			DRAND_DEV_SECRET_KEY: secretKey,
			DRAND_DEV_PORT: String(port),
			...(period ? { DRAND_DEV_PERIOD: String(period) } : {}),
		},
		stdio: ["ignore", "pipe", "inherit"],
	});
	let out = "";
	child.stdout.on("data", (d) => {
		out += d;
	});
	const deadline = Date.now() + 30_000;
	// Whole lines only: the key may arrive in two chunks.
	while (!/DRAND_DEV_PUBLIC_KEY=[0-9a-f]+\r?\n/.test(out)) {
		if (child.exitCode !== null) throw new Error(`the dev beacon exited (${child.exitCode}): ${out}`);
		if (Date.now() > deadline) throw new Error(`the dev beacon did not start within 30 s: ${out}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	const url = /DRAND_RELAYS=(\S+)/.exec(out)?.[1];
	const publicKey = /DRAND_DEV_PUBLIC_KEY=(\w+)/.exec(out)?.[1];
	return {
		url,
		publicKey,
		vars: {
			DRAND_CHAIN: "dev",
			DRAND_RELAYS: url,
			DRAND_DEV_PUBLIC_KEY: publicKey,
			...(period ? { DRAND_DEV_PERIOD: String(period) } : {}),
		},
		async stop() {
			if (child.exitCode !== null) return;
			child.kill("SIGTERM");
			await once(child, "exit");
		},
	};
}
