/**
 * Signed proof-of-work challenges: nothing is stored when one is handed out. A challenge is
 * `pow.v<N>.<distributionId>.<purpose>.<consumerId>.<expiresAt s>.<bits>.<id>.<mac>`, the MAC an
 * HMAC-SHA256 under a key derived from APP_SECRET version N (lib/secrets.ts), so rotating the
 * secret keeps challenges already out valid while N stays in the ring. Single use is the ledger's
 * job (ledger-object.ts); this module only says whether a challenge is genuine, live and bound.
 */
import { base64url, deriveKey, fromBase64url, hmac, randomToken, timingSafeEqualBytes } from "../../lib/crypto";
import { secretOf, secretRing } from "../../lib/secrets";
import type { Purpose } from "./modes";
import { CHALLENGE_TTL_MS, leadingZeroBits, NONCE } from "./pow";

const KEY_PURPOSE = "pow-challenge";

export interface Binding {
	distributionId: string;
	purpose: Purpose;
	consumerId: string;
}

export interface IssuedChallenge {
	challenge: string;
	id: string;
	bits: number;
	expiresAt: number;
}

export type ChallengeFailure = "malformed" | "forged" | "expired" | "wrong_binding" | "unsolved";

const ID = /^[A-Za-z0-9_]{1,64}$/;

export async function issueChallenge(
	appSecret: string,
	b: Binding,
	bits: number,
	now: number,
): Promise<IssuedChallenge> {
	const { active } = secretRing(appSecret);
	const id = randomToken(22);
	const expiresAt = Math.floor((now + CHALLENGE_TTL_MS) / 1000);
	const body = ["pow", `v${active.version}`, b.distributionId, b.purpose, b.consumerId, expiresAt, bits, id].join(".");
	const mac = base64url(await hmac(await deriveKey(active, KEY_PURPOSE, "hmac"), body));
	return { challenge: `${body}.${mac}`, id, bits, expiresAt: expiresAt * 1000 };
}

/**
 * The challenge's id and expiry when `challenge` is one this deployment issued for `b`, still
 * live, and `nonce` solves it; otherwise why not. One HMAC and one SHA-256.
 */
export async function checkSolution(
	appSecret: string,
	challenge: string,
	nonce: string,
	b: Binding,
	now: number,
): Promise<{ ok: true; id: string; expiresAt: number } | { ok: false; why: ChallengeFailure }> {
	const parts = challenge.split(".");
	if (parts.length !== 9 || parts[0] !== "pow" || !NONCE.test(nonce)) return { ok: false, why: "malformed" };
	const [, v, distributionId, purpose, consumerId, exp, bitsText, id, mac] = parts;
	const version = /^v([1-9][0-9]{0,9})$/.exec(v);
	const expiresAt = Number(exp) * 1000;
	const bits = Number(bitsText);
	if (!version || !ID.test(distributionId) || !ID.test(consumerId) || !ID.test(id))
		return { ok: false, why: "malformed" };
	if (!Number.isInteger(expiresAt) || !Number.isInteger(bits) || bits < 1 || bits > 32) {
		return { ok: false, why: "malformed" };
	}
	const given = fromBase64url(mac);
	const secret = secretOf(appSecret, Number(version[1]), KEY_PURPOSE);
	if (!given || !secret) return { ok: false, why: "forged" };
	const body = challenge.slice(0, challenge.length - mac.length - 1);
	if (!timingSafeEqualBytes(await hmac(await deriveKey(secret, KEY_PURPOSE, "hmac"), body), given)) {
		return { ok: false, why: "forged" };
	}
	if (expiresAt <= now) return { ok: false, why: "expired" };
	if (distributionId !== b.distributionId || purpose !== b.purpose || consumerId !== b.consumerId) {
		return { ok: false, why: "wrong_binding" };
	}
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(challenge + nonce)));
	if (leadingZeroBits(digest) < bits) return { ok: false, why: "unsolved" };
	return { ok: true, id, expiresAt };
}
