/**
 * The two gates a shopper's way into a distribution passes (queue enter, draw enter, bid,
 * buy-now), challenge first: the access gate counts a use of an access code and binds identities
 * as it lets a consumer through, so it must never run for a request the challenge refuses. Else
 * bots without a single solved challenge use up a leaked code's uses. A queue enter let in at the back
 * of the line without a solved challenge passes the access gate only if it needs nothing redeemed
 * (an open sequence, or a code it already holds). Owns no state.
 */
import { type Asker, requireAccess } from "../access/gate";
import { type Challenged, requireChallenge, type Verdict } from "../protection/gate";
import type { Purpose } from "../protection/modes";
import { challengeRefused } from "../protection/refusals";
import type { DistributionType } from "./status";

export async function passGates(
	c: Asker & Challenged,
	type: DistributionType,
	distributionId: string,
	purpose: Purpose,
	accessCode: string | undefined,
	backOfLineAllowed = false,
): Promise<Verdict> {
	const outcome = await requireChallenge(c, type, distributionId, purpose, backOfLineAllowed);
	// Let in at the back without a solved challenge: through the access gate only as who it already
	// is. Redeeming a code then would let bots use up a leaked code's uses without solving anything.
	const unsolved = outcome.verdict === "back_of_line" ? outcome.failure : null;
	await requireAccess(c, type, distributionId, accessCode, unsolved ? () => challengeRefused(unsolved) : undefined);
	return outcome.verdict;
}
