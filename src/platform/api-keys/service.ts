/**
 * What creating and revoking a key means beyond its row: a key never hands out or takes away
 * a scope the calling key does not hold, an organization holds at most `MAX_LIVE_API_KEYS` live
 * keys (a Worker var, default 50),
 * and every creation and revocation is an event (`api_key.created`, `api_key.revoked`: the
 * key's public fields and the calling key's id, never the key itself).
 */
import type { z } from "zod";
import { newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { ApiError, conflict, forbidden, notFound } from "../../http/problems";
import { getActiveKey, insertUnderCap, mintApiKey, revokeApiKey, toApiKey } from "./repo";
import type { createApiKeyBody } from "./schema";
import type { Scope } from "./scopes";

/** Live (unrevoked) keys per organization, secret and publishable together, unless the deployment says otherwise. */
export const DEFAULT_MAX_LIVE_KEYS = 50;
export const maxLiveKeys = (env: { MAX_LIVE_API_KEYS?: string }) =>
	Number.parseInt(env.MAX_LIVE_API_KEYS ?? "", 10) || DEFAULT_MAX_LIVE_KEYS;

function assertHolds(tenant: Tenant, scopes: readonly Scope[], doing: string) {
	const missing = scopes.filter((s) => !tenant.scopes.includes(s));
	if (missing.length) {
		throw forbidden(
			`This API key cannot ${doing} scopes it does not hold: ${missing.join(", ")}.`,
			missing.map((s) => ({ path: "scopes", message: `Missing scope: ${s}` })),
		);
	}
}

const keyEvent = (tenant: Tenant, type: "api_key.created" | "api_key.revoked", object: ReturnType<typeof toApiKey>) =>
	newEvent(tenant.organizationId, type, { object, actorApiKeyId: tenant.apiKeyId });

export async function createKey(env: Env, tenant: Tenant, input: z.infer<typeof createApiKeyBody>) {
	const scopes = input.type === "secret" ? (input.scopes ?? tenant.scopes) : [];
	assertHolds(tenant, scopes, "grant");
	const { row, created } = await mintApiKey(tenant.organizationId, input.type, input.name, scopes);
	const cap = maxLiveKeys(env);
	if (!(await insertUnderCap(env.DB, row, cap))) {
		throw new ApiError(
			409,
			"API key limit reached",
			`An organization holds at most ${cap} live API keys; revoke one you no longer use first.`,
		);
	}
	await publish(env.EVENTS, [keyEvent(tenant, "api_key.created", toApiKey(row))]);
	return created;
}

export async function revokeKey(env: Env, tenant: Tenant, id: string): Promise<void> {
	const row = await getActiveKey(env.DB, tenant.organizationId, id);
	if (!row) throw notFound("API key");
	assertHolds(tenant, toApiKey(row).scopes, "revoke a key with");
	const outcome = await revokeApiKey(env.DB, tenant.organizationId, id);
	if (outcome === "not_found") throw notFound("API key");
	if (outcome === "last_secret") {
		throw conflict("Cannot revoke the last secret key", "Create another secret key first, then revoke this one.");
	}
	if (outcome === "last_full_access") {
		throw conflict(
			"Cannot revoke the last full-access key",
			"This is the last secret key holding every scope; create another one first, then revoke this one.",
		);
	}
	await publish(env.EVENTS, [keyEvent(tenant, "api_key.revoked", toApiKey(row))]);
}
