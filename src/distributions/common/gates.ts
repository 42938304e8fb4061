/**
 * The two gates a shopper's way into a distribution passes (queue enter, draw enter, bid,
 * buy-now), challenge first: the access gate counts a use of an access code and binds identities
 * as it lets a consumer through, so it must never run for a request the challenge refuses. Else
 * bots without a single solved challenge use up a leaked code's uses. Owns no state.
 */
import { type Asker, requireAccess } from "../access/gate";
import { type Challenged, requireChallenge, type Verdict } from "../protection/gate";
import type { Purpose } from "../protection/modes";
import type { DistributionType } from "./status";

export async function passGates(
	c: Asker & Challenged,
	type: DistributionType,
	distributionId: string,
	purpose: Purpose,
	accessCode: string | undefined,
	backOfLineAllowed = false,
): Promise<Verdict> {
	const verdict = await requireChallenge(c, type, distributionId, purpose, backOfLineAllowed);
	await requireAccess(c, type, distributionId, accessCode);
	return verdict;
}
