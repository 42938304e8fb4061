/** Shared by the scenarios: a fresh organization with an experience and a sequence, and the worker's token key. */
import { rfc7638Thumbprint } from "../../lib/tokens.mjs";

/**
 * Organization → experience → sequence, and what the load generator needs to mint
 * consumer tokens the worker accepts (the `kid` the worker publishes for the bench's key).
 * Returns `kidCheck`: whether that `kid` is the RFC 7638 thumbprint (a check some scenarios report).
 */
export async function setupOrg(ctx) {
	const { api, secrets } = ctx;
	const org = (
		await api("POST", "/platform/v1/organizations", {
			token: secrets.PLATFORM_ADMIN_TOKEN,
			body: { name: `Bench ${new Date().toISOString()}` },
			expect: 201,
		})
	).json;
	const sk = org.secretKey.key;
	const orgId = org.organization.id;
	const exp = (await api("POST", "/api/v1/experiences", { token: sk, body: { name: "Bench launch" }, expect: 201 }))
		.json;
	const seq = (
		await api("POST", `/api/v1/experiences/${exp.id}/sequences`, {
			token: sk,
			body: { name: "Bench drop" },
			expect: 201,
		})
	).json;

	// Tokens carry the kid the worker publishes; whether it is the RFC 7638 thumbprint is checked on the side.
	const jwks = (await api("GET", "/.well-known/jwks.json")).json;
	const jwk = JSON.parse(secrets.JWT_SIGNING_KEY);
	const published = jwks.keys.find((k) => k.x === jwk.x);
	if (!published) throw new Error("the worker does not publish the bench's signing key");
	const rfcKid = rfc7638Thumbprint(jwk);
	return {
		orgId,
		sk,
		sequenceId: seq.id,
		auth: { mode: "mint", jwk, kid: published.kid, org: orgId },
		headers: { "X-Publishable-Key": org.publishableKey.key },
		kidCheck: {
			what: "JWKS `kid` is the RFC 7638 thumbprint of the key",
			ok: published.kid === rfcKid,
			detail: published.kid === rfcKid ? published.kid : `published \`${published.kid}\`, RFC 7638 gives \`${rfcKid}\``,
		},
	};
}

/** Tokens for as many distinct consumers as a row can use at the ceiling's pace (more are minted on demand). */
export const tokensFor = (ctx, ceilingRow) =>
	Math.ceil(ceilingRow.rps * (ctx.opts.warmup + ctx.opts.duration) * 1.1) + 1000;

/** Requests in flight when a run stops are processed but never counted by the load generator: at most one per connection per run. */
export const cutOff = (ctx) => ctx.opts.connections * (ctx.opts.warmup > 0 ? 2 : 1);
