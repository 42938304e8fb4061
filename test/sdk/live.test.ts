/**
 * The SDK's live subscription (src/sdk/live.ts) on its own, with sockets that misbehave the way
 * networks do: a half-open connection delivers nothing and never closes, and a poll can still be
 * out when the subscriber unsubscribes.
 */
import { describe, expect, it } from "vitest";
import { type LiveState, subscribe, type WebSocketLike } from "../../src/sdk/live";
import { sleep, waitFor } from "../support/time";

/** A socket that opens, says its first message, then goes silent: pings vanish, nothing comes back, no close. */
class HalfOpen implements WebSocketLike {
	readyState = 1;
	closed = false;
	private readonly listeners = new Map<string, ((event: unknown) => void)[]>();
	constructor(first: string) {
		setTimeout(() => this.emit("message", { data: first }), 1);
	}
	send(_data: string) {}
	close() {
		this.closed = true;
		this.readyState = 3;
	}
	addEventListener(type: string, listener: (event: unknown) => void) {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
	}
	private emit(type: string, event: unknown) {
		for (const l of this.listeners.get(type) ?? []) l(event);
	}
}

describe("live subscription", () => {
	it("gives up a socket that falls silent (two pings unanswered) and connects again", async () => {
		const sockets: HalfOpen[] = [];
		const messages: unknown[] = [];
		const states: LiveState[] = [];
		const errors: unknown[] = [];
		const stop = subscribe({
			url: () => "https://fanfare.test/live",
			webSocket: () => {
				const s = new HalfOpen(JSON.stringify({ type: "status", n: sockets.length }));
				sockets.push(s);
				return s;
			},
			poll: () => Promise.reject(new Error("no polling here")),
			onMessage: (m) => messages.push(m),
			options: { onStateChange: (s) => states.push(s), onError: (e) => errors.push(e) },
			pingIntervalMs: 20,
			backoffBaseMs: 1,
			backoffMaxMs: 2,
		});
		// Before: the first socket stayed "live" for good, however many pings went unanswered.
		await waitFor(
			"the second socket's first message",
			async () => messages.length,
			(n) => n >= 2,
			3000,
			10,
		);
		stop();
		expect(sockets[0].closed).toBe(true);
		expect(states.slice(0, 4)).toEqual(["connecting", "live", "reconnecting", "live"]);
		expect(String(errors[0])).toMatch(/silent/);
		expect(messages.slice(0, 2)).toEqual([
			{ type: "status", n: 0 },
			{ type: "status", n: 1 },
		]);
	});

	it("delivers nothing after unsubscribing, not even the answer of a poll already out", async () => {
		let answer: (m: unknown) => void = () => undefined;
		const messages: unknown[] = [];
		const stop = subscribe({
			url: () => "https://fanfare.test/live",
			webSocket: undefined,
			poll: () => new Promise((resolve) => (answer = resolve)),
			onMessage: (m) => messages.push(m),
			options: {},
		});
		await sleep(10);
		stop();
		answer({ type: "status" });
		await sleep(10);
		expect(messages).toEqual([]);
	});
});
