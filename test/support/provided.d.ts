// What vitest globalSetup files provide to tests (read with `inject`), for both tsconfigs.
export {};

declare module "vitest" {
	/** Provided by test/support/receiver.global.ts: the loopback webhook receiver's base URL. */
	export interface ProvidedContext {
		receiverUrl: string;
		/** Provided by test/support/beacon.global.ts: the local dev beacon's base URL (a drand relay). */
		beaconUrl: string;
		/** Provided by test/support/beacon.global.ts: the dev beacon's BLS public key (hex, G2 compressed). */
		beaconPublicKey: string;
		/** Provided by test/support/turnstile.global.ts: the local siteverify's base URL. */
		turnstileUrl: string;
	}
}
