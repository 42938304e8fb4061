/**
 * Synchronous SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104). WebCrypto is async: a
 * million awaits to rank a million entries or build their Merkle tree costs far more
 * than the hashing itself. Runs anywhere (Workers, Node, browsers), so the standalone
 * verifier uses this same code.
 */
const K = new Uint32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
	0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
	0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
]);
const INIT = new Uint32Array([
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Uint32Array(64);

function compress(state: Uint32Array, block: Uint8Array, offset: number): void {
	for (let i = 0; i < 16; i++) {
		const j = offset + i * 4;
		W[i] = (block[j] << 24) | (block[j + 1] << 16) | (block[j + 2] << 8) | block[j + 3];
	}
	for (let i = 16; i < 64; i++) {
		const a = W[i - 15];
		const b = W[i - 2];
		const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
		const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
		W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
	}
	let [a, b, c, d, e, f, g, h] = state;
	for (let i = 0; i < 64; i++) {
		const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
		const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
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
	state[0] = (state[0] + a) | 0;
	state[1] = (state[1] + b) | 0;
	state[2] = (state[2] + c) | 0;
	state[3] = (state[3] + d) | 0;
	state[4] = (state[4] + e) | 0;
	state[5] = (state[5] + f) | 0;
	state[6] = (state[6] + g) | 0;
	state[7] = (state[7] + h) | 0;
}

/** Hashes `data` continuing from `state` after `prefixBytes` already-compressed bytes. */
function finish(state: Uint32Array, data: Uint8Array, prefixBytes: number): Uint8Array {
	let offset = 0;
	for (; offset + 64 <= data.length; offset += 64) compress(state, data, offset);
	const rest = data.length - offset;
	const tail = new Uint8Array(rest < 56 ? 64 : 128);
	tail.set(data.subarray(offset));
	tail[rest] = 0x80;
	const bits = (prefixBytes + data.length) * 8;
	const view = new DataView(tail.buffer);
	view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
	view.setUint32(tail.length - 4, bits >>> 0);
	for (let o = 0; o < tail.length; o += 64) compress(state, tail, o);
	const out = new Uint8Array(32);
	const outView = new DataView(out.buffer);
	for (let i = 0; i < 8; i++) outView.setUint32(i * 4, state[i]);
	return out;
}

export function sha256(data: Uint8Array): Uint8Array {
	return finish(INIT.slice(), data, 0);
}

/** HMAC-SHA256 with the key's pads pre-hashed once: each message then costs two short hashes. */
export function hmacSha256(key: Uint8Array): (message: Uint8Array) => Uint8Array {
	const block = new Uint8Array(64);
	block.set(key.length > 64 ? sha256(key) : key);
	const inner = INIT.slice();
	const outer = INIT.slice();
	compress(
		inner,
		block.map((b) => b ^ 0x36),
		0,
	);
	compress(
		outer,
		block.map((b) => b ^ 0x5c),
		0,
	);
	return (message) => finish(outer.slice(), finish(inner.slice(), message, 64), 64);
}

const encoder = new TextEncoder();
export const utf8 = (text: string) => encoder.encode(text);

export function hex(bytes: Uint8Array): string {
	let out = "";
	for (const b of bytes) out += b.toString(16).padStart(2, "0");
	return out;
}

export function fromHex(text: string): Uint8Array {
	if (!/^(?:[0-9a-f]{2})*$/i.test(text)) throw new Error("not hex");
	const out = new Uint8Array(text.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
	return out;
}
