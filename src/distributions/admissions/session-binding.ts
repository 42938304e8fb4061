/**
 * Grants bound to the shopper's session. A merchant that issues consumer tokens with a
 * `sessionId` (POST /api/v1/consumers/:id/tokens) gets access tokens carrying it as `sid`;
 * every grant handed out to such a token is signed again here, at the edge, with the same
 * `sid`, so a grant copied into another browser still names the session it was handed to —
 * and the merchant's checkout refuses it (validate/complete with `sessionId`). The issuing
 * object keeps one record per grant, so a bound and an unbound token of one grant are the same
 * grant (same `jti`): using either uses both.
 */
import { signToken, verifyToken } from "../../lib/tokens";

/** `token` with `sid` set to `sessionId` (as it is when there is none to set, or it is not a live grant of ours). */
export async function bindGrant(signingKey: string, token: string, sessionId: string | null | undefined) {
	if (!sessionId) return token;
	const claims = await verifyToken(signingKey, token, "admission");
	if (!claims || claims.sid === sessionId) return token;
	const { iss: _iss, ...rest } = claims;
	return signToken(signingKey, { ...rest, sid: sessionId });
}

/** A shopper's state with its grant (if any) bound to the session. */
export async function bindState<T extends { admissionToken?: string }>(
	signingKey: string,
	state: T,
	sessionId: string | null | undefined,
): Promise<T> {
	if (!state.admissionToken || !sessionId) return state;
	return { ...state, admissionToken: await bindGrant(signingKey, state.admissionToken, sessionId) };
}

/** Whether a grant may be used in the merchant's session `sessionId` (no session named, or an unbound grant: yes). */
export const sessionMatches = (grantSid: string | undefined, sessionId: string | undefined) =>
	!sessionId || !grantSid || grantSid === sessionId;
