/** The pure access rules: one person across accounts (email, phone), access codes' shape, and when a code lets a consumer in. */
import { describe, expect, it } from "vitest";
import {
	CODE_ALPHABET,
	CODE_LENGTH,
	codeRefusal,
	codeStatus,
	collidingIdentity,
	formatAccessCode,
	generateAccessCode,
	identitiesOf,
	normalizeAccessCode,
	normalizeEmail,
	normalizePhone,
} from "../../../src/distributions/access/rules";

describe("normalizeEmail", () => {
	it.each([
		["John@Example.com", "john@example.com"],
		["  john@example.com ", "john@example.com"],
		["john+drops@example.com", "john@example.com"],
		["john+a+b@example.com", "john@example.com"],
		["j.o.h.n@example.com", "j.o.h.n@example.com"],
		["J.O.H.N+x@Gmail.com", "john@gmail.com"],
		["john.doe@googlemail.com", "johndoe@gmail.com"],
		["+weird@example.com", "+weird@example.com"],
	])("%s → %s", (input, out) => expect(normalizeEmail(input)).toBe(out));

	it.each(["", "nobody", "@example.com", "john@", "...@gmail.com"])("%j is not an address", (input) =>
		expect(normalizeEmail(input)).toBeNull(),
	);
});

describe("normalizePhone", () => {
	it.each([
		["+15551234567", "+15551234567"],
		["+1 (555) 123-4567", "+15551234567"],
		["0044 20 7946 0958", "+442079460958"],
		["+44.20.7946.0958", "+442079460958"],
	])("%s → %s", (input, out) => expect(normalizePhone(input)).toBe(out));

	it.each(["5551234567", "+0123456789", "+1", "+1234567890123456", "phone"])("%j is not E.164", (input) =>
		expect(normalizePhone(input)).toBeNull(),
	);
});

describe("identities", () => {
	it("a consumer is recognised by its normalized email and phone, those it has", () => {
		expect(identitiesOf({ email: "A.B+x@gmail.com", phone: "+1 555 123 4567" })).toEqual([
			{ kind: "email", value: "ab@gmail.com" },
			{ kind: "phone", value: "+15551234567" },
		]);
		expect(identitiesOf({ email: null, phone: "+15551234567" })).toEqual([{ kind: "phone", value: "+15551234567" }]);
		expect(identitiesOf({ email: null, phone: null })).toEqual([]);
	});

	it("a collision is another consumer holding one of them; email is named first", () => {
		const me = "con_me";
		expect(collidingIdentity(me, [])).toBeNull();
		expect(collidingIdentity(me, [{ kind: "email", consumerId: me }])).toBeNull();
		expect(collidingIdentity(me, [{ kind: "phone", consumerId: "con_other" }])).toBe("phone");
		expect(
			collidingIdentity(me, [
				{ kind: "phone", consumerId: "con_other" },
				{ kind: "email", consumerId: "con_third" },
			]),
		).toBe("email");
	});
});

describe("access codes", () => {
	it("a new code is 16 base32 characters, and reads back from its formatted form", () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200; i++) {
			const code = generateAccessCode();
			expect(code).toHaveLength(CODE_LENGTH);
			for (const ch of code) expect(CODE_ALPHABET).toContain(ch);
			expect(formatAccessCode(code)).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
			expect(normalizeAccessCode(formatAccessCode(code))).toBe(code);
			seen.add(code);
		}
		expect(seen.size).toBe(200);
	});

	it("each byte's low five bits pick the character: all 32 are reachable, high bits change nothing", () => {
		const low = Uint8Array.from({ length: 32 }, (_, i) => i);
		const high = low.map((b) => b + 224);
		expect(generateAccessCode(low.subarray(0, 16)) + generateAccessCode(low.subarray(16))).toBe(CODE_ALPHABET);
		expect(generateAccessCode(high.subarray(0, 16)) + generateAccessCode(high.subarray(16))).toBe(CODE_ALPHABET);
	});

	it("reading a code forgives case, spaces, dashes and O/I/L", () => {
		expect(normalizeAccessCode("7kq2-m9xd-4trb-hc1e")).toBe("7KQ2M9XD4TRBHC1E");
		expect(normalizeAccessCode(" 7KQ2 M9XD 4TRB HCIE ")).toBe("7KQ2M9XD4TRBHC1E");
		expect(normalizeAccessCode("O0OO-LLII-0000-1111")).toBe("0000111100001111");
	});

	it.each([
		"",
		"7KQ2-M9XD-4TRB",
		"7KQ2-M9XD-4TRB-HC1E-X",
		"7KQ2-M9XD-4TRB-HCU1",
		"7KQ2_M9XD_4TRB_HC1E",
		"ÄÄÄÄ-ÄÄÄÄ-ÄÄÄÄ-ÄÄÄÄ",
	])("%j is not a code", (input) => expect(normalizeAccessCode(input)).toBeNull());

	const live = { maxUses: 2, uses: 0, expiresAt: null, revokedAt: null };
	const now = 1_000_000;

	it("a code's status: revoked, then expired, then used up, else active", () => {
		expect(codeStatus(live, now)).toBe("active");
		expect(codeStatus({ ...live, uses: 2 }, now)).toBe("used_up");
		expect(codeStatus({ ...live, uses: 2, expiresAt: now }, now)).toBe("expired");
		expect(codeStatus({ ...live, expiresAt: now + 1 }, now)).toBe("active");
		expect(codeStatus({ ...live, uses: 2, expiresAt: now, revokedAt: 5 }, now)).toBe("revoked");
	});

	it("a used-up code still lets its bound consumers in; nothing lets anyone in once revoked or expired", () => {
		expect(codeRefusal(null, false, now)).toBe("code_invalid");
		expect(codeRefusal(live, false, now)).toBeNull();
		expect(codeRefusal({ ...live, uses: 2 }, false, now)).toBe("code_used_up");
		expect(codeRefusal({ ...live, uses: 2 }, true, now)).toBeNull();
		expect(codeRefusal({ ...live, expiresAt: now - 1 }, true, now)).toBe("code_expired");
		expect(codeRefusal({ ...live, revokedAt: now - 1 }, true, now)).toBe("code_revoked");
	});
});
