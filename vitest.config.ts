import { generateKeyPairSync } from "node:crypto";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/docs-assets.mjs";

/** Fixed test secrets (a fresh signing key per run): the real ones live in .dev.vars / Worker secrets. */
const testSecrets = {
	PLATFORM_ADMIN_TOKEN: "test-platform-admin-token",
	APP_SECRET: "test-app-secret-0123456789abcdef0123456789abcdef",
	JWT_SIGNING_KEY: JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })),
};
/** Budgets for the suite (names as in wrangler.toml [vars]): none of them bind a test but the limits tests. */
const SUITE_LIMITS = Object.fromEntries(
	[
		"LIMIT_ENTER_PER_CONSUMER",
		"LIMIT_ENTER_PER_ADDRESS",
		"LIMIT_STATUS_PER_CONSUMER",
		"LIMIT_STATUS_PER_ADDRESS",
		"LIMIT_BIDS_PER_CONSUMER",
		"LIMIT_BIDS_PER_ADDRESS",
		"LIMIT_CONNECTS_PER_CONSUMER",
		"LIMIT_CONNECTS_PER_ADDRESS",
		"LIVE_SOCKETS_PER_CONSUMER",
		"LIVE_SOCKETS_PER_ADDRESS",
		"BREAKER_ENTERS_PER_SECOND",
	].map((name) => [name, "1000000"]),
);
// wrangler.toml declares these as required secrets; providing them here keeps its check quiet.
Object.assign(process.env, testSecrets);

// The static assets directory wrangler.toml names must hold the API reference's bundle.
copyDocsAssets();

export default defineConfig(async () => ({
	plugins: [
		// A function of what the global setups provide: the dev beacon's URL and key exist only once it runs.
		cloudflareTest(async ({ inject }) => ({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
					...testSecrets,
					// Webhook retries after 1 s, 2 s, … so delivery tests finish in seconds.
					WEBHOOK_RETRY_BASE_SECONDS: "1",
					// Tests are local development: webhooks go to the loopback receiver (test/support/receiver.global.ts).
					// The production rule is tested with this flag off (test/events/destinations.test.ts), its DNS
					// lookups answered by the receiver's DNS-over-HTTPS stand-in.
					ALLOW_PRIVATE_WEBHOOKS: "true",
					WEBHOOK_DNS_RESOLVER: `${inject("receiverUrl")}/dns-query`,
					// Draws use the local dev chain (test/support/beacon.global.ts): no network, same code path.
					DRAND_CHAIN: "dev",
					DRAND_RELAYS: inject("beaconUrl"),
					DRAND_DEV_PUBLIC_KEY: inject("beaconPublicKey"),
					// One round a second and a one-second seal margin: a test draw happens seconds after it closes.
					DRAND_DEV_PERIOD: "1",
					DRAW_SEAL_MARGIN_MS: "1000",
					// The suite fires 1,000 enters at one queue, 300 bids at one auction and 50 enters from one
					// consumer at once: budgets and the breaker far above that. test/distributions/limits runs the
					// worker with the real defaults (budgets.ts).
					...SUITE_LIMITS,
					// Tests read an auction's public state and a draw's proof right after changing them (alarms,
					// direct object calls): no snapshot. test/distributions/limits runs the worker with one.
					PUBLIC_SNAPSHOT_MS: "0",
					// Turnstile's siteverify is the local stand-in (test/support/turnstile.global.ts).
					TURNSTILE_VERIFY_URL: `${inject("turnstileUrl")}/turnstile/v0/siteverify`,
					TEST_MIGRATIONS: await readD1Migrations("./migrations"),
				},
			},
		})),
	],
	test: {
		include: ["test/**/*.test.ts"],
		setupFiles: ["./test/support/setup.ts"],
		globalSetup: [
			"./test/support/receiver.global.ts",
			"./test/support/beacon.global.ts",
			"./test/support/turnstile.global.ts",
			"./test/support/quiet-faults.global.ts",
		],
		testTimeout: 30_000,
	},
}));
