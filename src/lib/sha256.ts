/**
 * Synchronous SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104). WebCrypto is async: a
 * million awaits to rank a million entries or build their Merkle tree costs far more
 * than the hashing itself, and in workerd even a native call (`crypto.subtle`, `node:crypto`)
 * costs 4–5 µs, while one compression here is about 1 µs. Runs anywhere (Workers, Node,
 * browsers), so the standalone verifier uses this same code.
 *
 * Tuned for many short messages: the state, the message schedule and the padding block are
 * module-level scratch (JavaScript is single-threaded and nothing here yields), the rounds run
 * on locals, and `sha256Into` / `HmacSha256.hex` allocate nothing but their result. Owns no
 * table; pure.
 */
const K = new Int32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
	0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
	0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
]);
const INIT = new Int32Array([
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
/** Scratch: the message schedule, the running state, the padded tail, a digest, a text buffer. */
const W = new Int32Array(64);
const S = new Int32Array(8);
const TAIL = new Uint8Array(128);
const DIGEST = new Uint8Array(32);
let text = new Uint8Array(256);

function compress(state: Int32Array, m: Uint8Array, offset: number): void {
	for (let i = 0, j = offset; i < 16; i++, j += 4) W[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
	for (let i = 16; i < 64; i++) {
		const x = W[i - 15];
		const y = W[i - 2];
		const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
		const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
		W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
	}
	let a = state[0];
	let b = state[1];
	let c = state[2];
	let d = state[3];
	let e = state[4];
	let f = state[5];
	let g = state[6];
	let h = state[7];
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

/**
 * Hashes data[0, length) continuing from `S` after `prefixBytes` already compressed, and writes
 * the digest to out[outOffset, outOffset + 32). `data` is copied into the tail before `out` is
 * written, so `out` may be `data`.
 */
function finish(data: Uint8Array, length: number, prefixBytes: number, out: Uint8Array, outOffset: number): void {
	let offset = 0;
	for (; offset + 64 <= length; offset += 64) compress(S, data, offset);
	const rest = length - offset;
	const end = rest < 56 ? 64 : 128;
	for (let i = 0; i < rest; i++) TAIL[i] = data[offset + i];
	TAIL[rest] = 0x80;
	TAIL.fill(0, rest + 1, end - 8);
	const bits = (prefixBytes + length) * 8;
	const hi = Math.floor(bits / 4294967296);
	const lo = bits >>> 0;
	TAIL[end - 8] = hi >>> 24;
	TAIL[end - 7] = hi >>> 16;
	TAIL[end - 6] = hi >>> 8;
	TAIL[end - 5] = hi;
	TAIL[end - 4] = lo >>> 24;
	TAIL[end - 3] = lo >>> 16;
	TAIL[end - 2] = lo >>> 8;
	TAIL[end - 1] = lo;
	compress(S, TAIL, 0);
	if (end === 128) compress(S, TAIL, 64);
	for (let i = 0, j = outOffset; i < 8; i++, j += 4) {
		const w = S[i];
		out[j] = w >>> 24;
		out[j + 1] = w >>> 16;
		out[j + 2] = w >>> 8;
		out[j + 3] = w;
	}
}

/** SHA-256 of data[0, length) into out[outOffset, outOffset + 32); allocates nothing. */
export function sha256Into(data: Uint8Array, length: number, out: Uint8Array, outOffset = 0): void {
	S.set(INIT);
	finish(data, length, 0, out, outOffset);
}

export function sha256(data: Uint8Array): Uint8Array {
	const out = new Uint8Array(32);
	sha256Into(data, data.length, out, 0);
	return out;
}

/** `value` as UTF-8 into the shared text buffer (ASCII byte by byte; anything else through TextEncoder); its length. */
function encodeText(value: string): number {
	if (text.length < value.length * 3) text = new Uint8Array(value.length * 3);
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code >= 0x80) return encoder.encodeInto(value, text).written;
		text[i] = code;
	}
	return value.length;
}

/** HMAC-SHA256 under one key, its pads pre-hashed once: each message then costs two short hashes. */
export class HmacSha256 {
	private readonly inner = new Int32Array(8);
	private readonly outer = new Int32Array(8);

	constructor(key: Uint8Array) {
		const block = new Uint8Array(64);
		block.set(key.length > 64 ? sha256(key) : key);
		const pad = new Uint8Array(64);
		for (const [state, byte] of [
			[this.inner, 0x36],
			[this.outer, 0x5c],
		] as const) {
			for (let i = 0; i < 64; i++) pad[i] = block[i] ^ byte;
			state.set(INIT);
			compress(state, pad, 0);
		}
	}

	/** The MAC of message[0, length) into out[outOffset, outOffset + 32). */
	into(message: Uint8Array, length: number, out: Uint8Array, outOffset = 0): void {
		S.set(this.inner);
		finish(message, length, 64, DIGEST, 0);
		S.set(this.outer);
		finish(DIGEST, 32, 64, out, outOffset);
	}

	mac(message: Uint8Array): Uint8Array {
		const out = new Uint8Array(32);
		this.into(message, message.length, out, 0);
		return out;
	}

	/** The MAC of a text's UTF-8, as lower-case hex (the draw's rank keys). */
	hex(message: string): string {
		const length = encodeText(message); // first: it may replace the buffer
		this.into(text, length, DIGEST, 0);
		return hex(DIGEST);
	}

	/** The MAC of a text's UTF-8 into out[outOffset, outOffset + 32). */
	textInto(message: string, out: Uint8Array, outOffset: number): void {
		const length = encodeText(message);
		this.into(text, length, out, outOffset);
	}
}

/** HMAC-SHA256 as a function of the message (see `HmacSha256` for the allocation-free forms). */
export function hmacSha256(key: Uint8Array): (message: Uint8Array) => Uint8Array {
	const h = new HmacSha256(key);
	return (message) => h.mac(message);
}

const encoder = new TextEncoder();
export const utf8 = (value: string) => encoder.encode(value);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function hex(bytes: Uint8Array): string {
	let out = "";
	for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
	return out;
}

export function fromHex(value: string): Uint8Array {
	if (!/^(?:[0-9a-f]{2})*$/i.test(value)) throw new Error("not hex");
	const out = new Uint8Array(value.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
	return out;
}
