/** Consumer access tokens: `sub` = consumer id, valid one hour. */
import { isoSeconds } from "../../lib/time";
import { signToken } from "../../lib/tokens";

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export async function issueAccessToken(signingKey: string, organizationId: string, consumerId: string) {
	const exp = Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS;
	const accessToken = await signToken(signingKey, { sub: consumerId, org: organizationId, typ: "consumer", exp });
	return { consumerId, accessToken, tokenType: "Bearer" as const, expiresAt: isoSeconds(exp * 1000) };
}
