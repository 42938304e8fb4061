// What vitest globalSetup files provide to tests (read with `inject`), for both tsconfigs.
export {};

declare module "vitest" {
	/** Provided by test/support/receiver.global.ts: the loopback webhook receiver's base URL. */
	export interface ProvidedContext {
		receiverUrl: string;
	}
}
