import { describe, expect, it } from "vitest";
import { fromHex, HmacSha256, hex, hmacSha256, sha256, sha256Into, utf8 } from "../../src/lib/sha256";

// The tuned SHA-256 (module-level scratch, no per-call allocation) must stay byte-identical to
// FIPS 180-4 and to WebCrypto: every draw's ranks and log roots depend on it.

async function webSha(data: Uint8Array) {
	return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}
async function webHmac(key: Uint8Array, data: Uint8Array) {
	const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	return hex(new Uint8Array(await crypto.subtle.sign("HMAC", k, data)));
}
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe("sha256", () => {
	it("matches the NIST FIPS 180-4 / CAVS examples", () => {
		const vectors: [string, string][] = [
			["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
			["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
			[
				"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
				"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
			],
			[
				"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
				"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
			],
			["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
		];
		for (const [message, digest] of vectors) expect(hex(sha256(utf8(message))), message.slice(0, 20)).toBe(digest);
		// NIST CAVS SHA256ShortMsg, Len = 8 and Len = 32.
		expect(hex(sha256(fromHex("d3")))).toBe("28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1");
		expect(hex(sha256(fromHex("c98c8e55")))).toBe("7abc22c0ae5af26ce93dbb94433a0e0b2e119d014f8e7f65bd56c61ccccd9504");
	});

	it("matches WebCrypto on every length 0–300 and on random inputs", async () => {
		for (let n = 0; n <= 300; n++) {
			const data = random(n);
			expect(hex(sha256(data)), `length ${n}`).toBe(await webSha(data));
		}
		for (let i = 0; i < 50; i++) {
			const data = random(1 + Math.floor(Math.random() * 5000));
			expect(hex(sha256(data)), `length ${data.length}`).toBe(await webSha(data));
		}
	});

	it("sha256Into hashes a prefix into an offset, also in place", async () => {
		const data = random(100);
		const out = new Uint8Array(80);
		sha256Into(data, 70, out, 40);
		expect(hex(out.subarray(40, 72))).toBe(await webSha(data.subarray(0, 70)));
		const copy = data.slice();
		sha256Into(data, 65, data, 0);
		expect(hex(data.subarray(0, 32))).toBe(await webSha(copy.subarray(0, 65)));
	});
});

describe("hmac-sha256", () => {
	it("matches RFC 4231 test case 2", () => {
		const mac = hmacSha256(utf8("Jefe"))(utf8("what do ya want for nothing?"));
		expect(hex(mac)).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	});

	it("matches WebCrypto for random keys (short, block-sized, long) and messages", async () => {
		for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
			const key = random(keyLength);
			const h = new HmacSha256(key);
			for (let i = 0; i < 12; i++) {
				const message = random(Math.floor(Math.random() * 300));
				const expected = await webHmac(key, message);
				expect(hex(h.mac(message))).toBe(expected);
				expect(hex(hmacSha256(key)(message))).toBe(expected);
			}
		}
	});

	it("hashes text as UTF-8, ASCII or not, of any length", async () => {
		const h = new HmacSha256(random(32));
		const key = random(32);
		const keyed = new HmacSha256(key);
		for (const text of [
			"",
			"ent_01JABCDEFGHJKMNPQRSTVWXYZ",
			"é漢字🎉",
			"x".repeat(55),
			"y".repeat(1000),
			"ü".repeat(200),
		]) {
			expect(keyed.hex(text), text.slice(0, 10)).toBe(await webHmac(key, utf8(text)));
			const out = new Uint8Array(40);
			keyed.textInto(text, out, 8);
			expect(hex(out.subarray(8))).toBe(await webHmac(key, utf8(text)));
		}
		expect(h.hex("a")).not.toBe(keyed.hex("a"));
	});
});
