/**
 * Solving fanfare-edge's proof-of-work challenges: a nonce (decimal digits) such that
 * SHA-256(challenge ‖ nonce) starts with `bits` zero bits. `solvePow` is one self-contained
 * function — no imports, no outer variables — so browsers can run its source in a Web Worker
 * made from a Blob (no extra file to host); the challenge's full 64-byte blocks are hashed
 * once and each try hashes only the last one or two.
 */

/** The nonce that solves `challenge` at `bits` (the challenge's ASCII text, as the server hands it out). */
export function solvePow(challenge: string, bits: number): string {
	const K = [
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
		0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
		0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
		0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
		0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
		0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
		0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
		0xc67178f2,
	];
	const w = new Int32Array(64);
	const compress = (s: Int32Array, block: Uint8Array, at: number) => {
		for (let i = 0; i < 16; i++) {
			const j = at + i * 4;
			w[i] = (block[j] << 24) | (block[j + 1] << 16) | (block[j + 2] << 8) | block[j + 3];
		}
		for (let i = 16; i < 64; i++) {
			const x = w[i - 15];
			const y = w[i - 2];
			const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
			const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
			w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
		}
		let a = s[0];
		let b = s[1];
		let c = s[2];
		let d = s[3];
		let e = s[4];
		let f = s[5];
		let g = s[6];
		let h = s[7];
		for (let i = 0; i < 64; i++) {
			const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
			const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
			const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
			const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
			h = g;
			g = f;
			f = e;
			e = (d + t1) | 0;
			d = c;
			c = b;
			b = a;
			a = (t1 + t2) | 0;
		}
		s[0] = (s[0] + a) | 0;
		s[1] = (s[1] + b) | 0;
		s[2] = (s[2] + c) | 0;
		s[3] = (s[3] + d) | 0;
		s[4] = (s[4] + e) | 0;
		s[5] = (s[5] + f) | 0;
		s[6] = (s[6] + g) | 0;
		s[7] = (s[7] + h) | 0;
	};
	const text = new TextEncoder().encode(challenge);
	const mid = new Int32Array([
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	]);
	const full = text.length - (text.length % 64);
	for (let at = 0; at < full; at += 64) compress(mid, text, at);
	const rest = text.length - full;
	const tail = new Uint8Array(192);
	tail.set(text.subarray(full));
	const state = new Int32Array(8);
	const digits = new Uint8Array(16);
	for (let nonce = 0; nonce < 1e16; nonce++) {
		let n = nonce;
		let len = 0;
		do {
			digits[len++] = 48 + (n % 10);
			n = Math.floor(n / 10);
		} while (n > 0);
		let end = rest;
		for (let i = len - 1; i >= 0; i--) tail[end++] = digits[i];
		tail[end] = 0x80;
		const blocks = end + 9 <= 64 ? 1 : 2;
		tail.fill(0, end + 1, blocks * 64);
		const bitLength = (text.length + len) * 8;
		tail[blocks * 64 - 4] = bitLength >>> 24;
		tail[blocks * 64 - 3] = (bitLength >>> 16) & 0xff;
		tail[blocks * 64 - 2] = (bitLength >>> 8) & 0xff;
		tail[blocks * 64 - 1] = bitLength & 0xff;
		state.set(mid);
		compress(state, tail, 0);
		if (blocks === 2) compress(state, tail, 64);
		if (bits <= 32 ? Math.clz32(state[0]) >= bits : state[0] === 0 && Math.clz32(state[1]) >= bits - 32) {
			return String(nonce);
		}
	}
	throw new Error("no nonce found");
}
