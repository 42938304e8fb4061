/**
 * Proof-of-work rules, pure: the difficulty for an arrival rate, and counting leading zero bits.
 * The work: find a nonce (decimal digits) with SHA-256(utf8(challenge) ‖ utf8(nonce)) starting
 * with `bits` zero bits. Expected cost 2^bits hashes for the client, one hash for the server.
 */

/** The easiest setting: ≈ 4,096 hashes, a few milliseconds anywhere. */
export const BASE_BITS = 12;
/** The top setting: ≈ 262,144 hashes, about a second on a phone (README "Bot protection"). */
export const MAX_BITS = 18;
/** How long a challenge may be solved and spent. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * bits = min(18, 12 + ceil(log2(max(1, arrivalsPerMinute / 60)))): one extra bit (twice the work)
 * each time the arrival rate doubles past one a second, so during a rush each entry costs more
 * while a quiet launch stays near-free.
 */
export function difficultyFor(arrivalsPerMinute: number): number {
	const perSecond = Math.max(1, arrivalsPerMinute / 60);
	return Math.min(MAX_BITS, BASE_BITS + Math.ceil(Math.log2(perSecond)));
}

/** The number of leading zero bits of `digest`. */
export function leadingZeroBits(digest: Uint8Array): number {
	let bits = 0;
	for (const byte of digest) {
		if (byte === 0) {
			bits += 8;
			continue;
		}
		return bits + Math.clz32(byte) - 24;
	}
	return bits;
}

/** A nonce as the solver sends it: decimal digits, no sign, at most 16 characters. */
export const NONCE = /^[0-9]{1,16}$/;
