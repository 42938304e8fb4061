/**
 * Consumer access tokens: `sub` = consumer id, valid one hour; a session adds the refresh token that renews it.
 * `vouched` marks a session the merchant issued for its own shopper (a guest's never is); refreshing keeps it,
 * and so does `sid`: the merchant's own session the tokens (and the grants handed out with them) are bound to.
 */
import { isoSeconds } from "../../lib/time";
import { signToken } from "../../lib/tokens";
import { issueRefreshToken } from "./refresh-tokens";

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export async function issueAccessToken(
	signingKey: string,
	organizationId: string,
	consumerId: string,
	vouched: boolean,
	sessionId?: string | null,
) {
	const exp = Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS;
	const claims = {
		sub: consumerId,
		org: organizationId,
		typ: "consumer" as const,
		exp,
		...(vouched && { vouched }),
		...(sessionId ? { sid: sessionId } : {}),
	};
	const accessToken = await signToken(signingKey, claims);
	return { consumerId, accessToken, tokenType: "Bearer" as const, expiresAt: isoSeconds(exp * 1000) };
}

/** A new sign-in: an access token and the first refresh token of a new family. */
export async function issueSession(
	env: Env,
	organizationId: string,
	consumerId: string,
	vouched: boolean,
	sessionId?: string,
) {
	const access = await issueAccessToken(env.JWT_SIGNING_KEY, organizationId, consumerId, vouched, sessionId);
	return { ...access, ...(await issueRefreshToken(env.DB, organizationId, consumerId, vouched, undefined, sessionId)) };
}
