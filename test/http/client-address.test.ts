/**
 * The client address per-address limits count (src/http/client-address.ts): an IPv6 address as its
 * /64 however it is written, an IPv4 address as is, an IPv4-mapped IPv6 address as its IPv4, junk
 * as one bounded key. And the per-isolate limiter status polls use, with its clock injected.
 */
import { describe, expect, it } from "vitest";
import { hitInMemory } from "../../src/distributions/limits/memory-limiter";
import { clientAddress } from "../../src/http/client-address";

describe("clientAddress", () => {
	it.each([
		["2001:db8:aa:bb::1", "2001:db8:aa:bb::/64"],
		["2001:0db8:00aa:00bb:1234:5678:9abc:def0", "2001:db8:aa:bb::/64"],
		["2001:DB8:AA:BB:ffff:ffff:ffff:ffff", "2001:db8:aa:bb::/64"],
		["2001:db8::1", "2001:db8:0:0::/64"],
		["2001:db8:0:0:1::", "2001:db8:0:0::/64"],
		["::1", "0:0:0:0::/64"],
		["fe80::1%eth0", "fe80:0:0:0::/64"],
		["[2001:db8:aa:bb::7]", "2001:db8:aa:bb::/64"],
		["2001:db8:aa:bb:0:0:192.0.2.1", "2001:db8:aa:bb::/64"],
		["::ffff:198.51.100.7", "198.51.100.7"],
		["198.51.100.7", "198.51.100.7"],
		[" 203.0.113.9 ", "203.0.113.9"],
	])("%s → %s", (raw, expected) => {
		expect(clientAddress(raw)).toBe(expected);
	});

	it("no header → null (nothing to count); junk stays one key of bounded length", () => {
		expect(clientAddress(undefined)).toBeNull();
		expect(clientAddress("")).toBeNull();
		expect(clientAddress("1:2:3::4::5")).toBe("1:2:3::4::5");
		expect(clientAddress("x".repeat(500))?.length).toBe(45);
		expect(clientAddress(`${"1:".repeat(300)}1`)?.length).toBe(45);
	});
});

describe("hitInMemory (status polls' limiter)", () => {
	it("a sliding log: at most `limit` in any window, a refused request not counted, room again as old ones leave", () => {
		const key = `unit|${crypto.randomUUID()}`;
		const t0 = 1_000_000;
		const hits = [0, 10, 20].map((dt) => hitInMemory(key, 3, 60_000, t0 + dt));
		expect(hits.map((h) => [h.allowed, h.remaining])).toEqual([
			[true, 2],
			[true, 1],
			[true, 0],
		]);
		const refused = hitInMemory(key, 3, 60_000, t0 + 30);
		expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
		expect(refused.resetMs).toBe(60_000 - 30);
		// The first hit leaves the window at t0 + 60 s: one place again, not three.
		expect(hitInMemory(key, 3, 60_000, t0 + 60_000).allowed).toBe(true);
		expect(hitInMemory(key, 3, 60_000, t0 + 60_001).allowed).toBe(false);
		expect(hitInMemory(key, 3, 60_000, t0 + 60_020).allowed).toBe(true);
	});
});
