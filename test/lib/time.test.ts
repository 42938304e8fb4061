import { describe, expect, it } from "vitest";
import { isoSeconds, isTimeZone, parseDateTime } from "../../src/lib/time";

const utc = (iso: string) => Date.parse(iso);

describe("parseDateTime", () => {
	it("reads offsets and Z as absolute instants, whatever the zone", () => {
		expect(parseDateTime("2024-12-15T09:00:00-05:00", "Asia/Tokyo")).toBe(utc("2024-12-15T14:00:00Z"));
		expect(parseDateTime("2024-12-15T14:00:00Z", "America/New_York")).toBe(utc("2024-12-15T14:00:00Z"));
		expect(parseDateTime("2024-12-15T14:00:00+0530", "UTC")).toBe(utc("2024-12-15T08:30:00Z"));
		expect(parseDateTime("2024-12-15T14:00Z", "UTC")).toBe(utc("2024-12-15T14:00:00Z"));
		expect(parseDateTime("2024-12-15T14:00:00.250Z", "UTC")).toBe(utc("2024-12-15T14:00:00.250Z"));
	});

	it("reads a local date-time in the given zone (the spec's Time Zones example)", () => {
		expect(parseDateTime("2024-12-15T09:00:00", "America/New_York")).toBe(utc("2024-12-15T14:00:00Z"));
		expect(parseDateTime("2024-07-15T09:00:00", "America/New_York")).toBe(utc("2024-07-15T13:00:00Z"));
		expect(parseDateTime("2024-12-15T09:00:00", "Asia/Kolkata")).toBe(utc("2024-12-15T03:30:00Z"));
		expect(parseDateTime("2024-12-15T09:00:00", "UTC")).toBe(utc("2024-12-15T09:00:00Z"));
	});

	it("moves a time in a DST gap forward and takes the earlier of an overlap", () => {
		// 2024-03-10 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT.
		expect(parseDateTime("2024-03-10T02:30:00", "America/New_York")).toBe(utc("2024-03-10T07:30:00Z"));
		// 2024-11-03 01:30 happens twice: first EDT (05:30Z), then EST (06:30Z).
		expect(parseDateTime("2024-11-03T01:30:00", "America/New_York")).toBe(utc("2024-11-03T05:30:00Z"));
		expect(parseDateTime("2024-03-31T02:30:00", "Europe/Paris")).toBe(utc("2024-03-31T01:30:00Z"));
	});

	it("rejects what is not a date-time", () => {
		for (const bad of [
			"2024-02-30T10:00:00",
			"2024-13-01T00:00:00Z",
			"2024-12-15T24:00:00Z",
			"2024-12-15",
			"tomorrow",
			"2024-12-15T10:00:00+19:00",
		]) {
			expect(parseDateTime(bad, "UTC"), bad).toBeNull();
		}
	});
});

describe("time helpers", () => {
	it("formats whole UTC seconds as the spec does", () => {
		expect(isoSeconds(utc("2024-12-15T14:00:00.999Z"))).toBe("2024-12-15T14:00:00Z");
	});

	it("knows IANA zones", () => {
		expect(isTimeZone("America/New_York")).toBe(true);
		expect(isTimeZone("UTC")).toBe(true);
		expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
		expect(isTimeZone("")).toBe(false);
		expect(isTimeZone("America/New York")).toBe(false);
	});
});

describe("isoSeconds", () => {
	const reference = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

	it("writes what toISOString writes, to the second, across leap days, centuries and the range's ends", () => {
		const fixed = [
			0,
			999,
			Date.UTC(1970, 0, 1, 23, 59, 59, 999),
			Date.UTC(2000, 1, 29, 12, 0, 0),
			Date.UTC(2024, 1, 29, 23, 59, 59, 500),
			Date.UTC(2100, 1, 28, 23, 59, 59),
			Date.UTC(2100, 2, 1),
			Date.UTC(2400, 1, 29, 6, 7, 8),
			Date.UTC(9999, 11, 31, 23, 59, 59, 999),
			Date.UTC(10000, 0, 1),
			-1,
			Date.UTC(1969, 11, 31, 23, 59, 59),
			Date.UTC(-1, 0, 1),
		];
		for (const ms of fixed) expect(isoSeconds(ms), String(ms)).toBe(reference(ms));
		// A deterministic spread over 1970–9999 (an LCG, so a failure names a reproducible instant).
		let x = 12_345;
		for (let i = 0; i < 20_000; i++) {
			x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
			const ms = Math.floor((x / 2_147_483_648) * 253_402_300_800_000);
			expect(isoSeconds(ms), String(ms)).toBe(reference(ms));
		}
	});

	it("is right when consecutive calls share a day, cross midnight and come back (the last day is remembered)", () => {
		const midnight = Date.UTC(2026, 11, 3);
		const times = [midnight - 1000, midnight - 1, midnight, midnight + 1000, midnight - 1, midnight + 86_399_999];
		for (const ms of [...times, ...times.reverse()]) expect(isoSeconds(ms), String(ms)).toBe(reference(ms));
	});

	it("throws on an invalid time, as toISOString does", () => {
		expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
		expect(() => isoSeconds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
	});
});
