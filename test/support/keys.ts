/**
 * Key rotation in tests: the deployment's bindings changed in place (the worker, its objects and its
 * queue consumers all read this object; `restoreKeys` puts the originals back), new Ed25519 keys,
 * keyrings and APP_SECRET rings, the JWKS, and values sealed the way they were before versioning.
 */
import { env } from "cloudflare:workers";
import { base64url, deriveKey, encrypt, hmac } from "../../src/lib/crypto";
import { type Jwks, JwksCache, verifySignature } from "../../src/sdk/admission";
import { call } from "./helpers";

export const bindings = env as unknown as Record<string, string>;
export const ORIGINAL = { JWT_SIGNING_KEY: bindings.JWT_SIGNING_KEY, APP_SECRET: bindings.APP_SECRET };
export const restoreKeys = () => Object.assign(bindings, ORIGINAL);

export type Jwk = JsonWebKey & { x: string; d: string };
export type State = "next" | "active" | "retired";
/** The test run's signing key and APP_SECRET (vitest.config.ts), and a second secret to rotate to. */
export const K1 = JSON.parse(ORIGINAL.JWT_SIGNING_KEY) as Jwk;
export const S1 = ORIGINAL.APP_SECRET;
export const S2 = "rotated-app-secret-fedcba9876543210fedcba9876543210";

export async function newKey(): Promise<Jwk> {
	const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
	const { kty, crv, x, d } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as Jwk;
	return { kty, crv, x, d } as Jwk;
}

/** A JWT_SIGNING_KEY ring: a JWK Set of private keys, each with its state. */
export const keyring = (...keys: [Jwk, State][]) =>
	JSON.stringify({ keys: keys.map(([k, state]) => ({ ...k, state })) });

/** An APP_SECRET ring. */
export const secretRing = (...versions: [number, State, string][]) =>
	JSON.stringify({ secrets: versions.map(([version, state, secret]) => ({ version, state, secret })) });

export const jwksNow = async () => (await call("/.well-known/jwks.json")).json as Jwks;
export const kidOf = (jwt: string) =>
	JSON.parse(atob(jwt.split(".")[0].replaceAll("-", "+").replaceAll("_", "/"))).kid as string | undefined;
/** A JWT's claims if it verifies against the JWKS served now (fetched fresh, no cache). */
export const verifiedNow = (jwt: string) => verifySignature(jwt, new JwksCache(jwksNow, 0, 0));

/** A position ticket as it was sealed before versioning (no `v<N>.` prefix), with version 1 = `S1`. */
export async function legacyTicket(queueId: string, encryptionSeed: string, consumerId: string, seq: number) {
	const key = await deriveKey({ version: 1, secret: S1 }, `position-ticket|${encryptionSeed}`, "aes");
	return encrypt(key, JSON.stringify({ c: consumerId, s: seq }), queueId);
}

/** A list cursor as it was signed before versioning (`payload.mac`), for `scope` (table|tenant). */
export async function legacyCursor(scope: string, lastId: string) {
	const payload = base64url(new TextEncoder().encode(lastId));
	const key = await deriveKey({ version: 1, secret: S1 }, "pagination-cursor", "hmac");
	return `${payload}.${base64url((await hmac(key, `${scope}|${payload}`)).slice(0, 16))}`;
}

export const encryptionSeedOf = async (id: string) =>
	(await env.DB.prepare("SELECT encryption_seed AS s FROM distributions WHERE id = ?").bind(id).first<{ s: string }>())
		?.s ?? "";
