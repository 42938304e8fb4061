/** Consumer access tokens: `sub` = consumer id, valid one hour; a session adds the refresh token that renews it. */
import { isoSeconds } from "../../lib/time";
import { signToken } from "../../lib/tokens";
import { issueRefreshToken } from "./refresh-tokens";

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export async function issueAccessToken(signingKey: string, organizationId: string, consumerId: string) {
	const exp = Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS;
	const accessToken = await signToken(signingKey, { sub: consumerId, org: organizationId, typ: "consumer", exp });
	return { consumerId, accessToken, tokenType: "Bearer" as const, expiresAt: isoSeconds(exp * 1000) };
}

/** A new sign-in: an access token and the first refresh token of a new family. */
export async function issueSession(env: Env, organizationId: string, consumerId: string) {
	const access = await issueAccessToken(env.JWT_SIGNING_KEY, organizationId, consumerId);
	return { ...access, ...(await issueRefreshToken(env.DB, organizationId, consumerId)) };
}
