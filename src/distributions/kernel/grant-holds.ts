/**
 * Grant holds — grants being paid for right now (grant id → hold expiry), so duplicate
 * orders on one grant are refused before any of them takes stock.
 *
 * Owns no table and no schedule kind: in memory on purpose. A hold lost to eviction only
 * reopens the rare race that `complete` settles anyway, in a transaction, at most once.
 * The engine stays the authority on the grant itself (its onGrantLookup and onGrantUsed hooks).
 */
import { type GrantCheck, type GrantState, judgeGrant } from "./grants";

/** How long one order may hold a grant before another order on it is let through. */
const HOLD_MS = 30_000;

export class GrantHolds {
	private readonly heldUntil = new Map<string, number>();

	/** `lookup` is the engine's view of a consumer's grant, read afresh on every judgement. */
	constructor(private readonly lookup: (consumerId: string) => GrantState | null) {}

	/** Whether `grantId` is the consumer's grant and still usable; a valid check names the consumer. */
	judge(consumerId: string, grantId: string, now: number): GrantCheck {
		const check = judgeGrant(this.lookup(consumerId), grantId, now);
		return check.valid ? { ...check, consumerId } : check;
	}

	/** Reserves a usable grant for one order; a grant already held answers "used". */
	hold(consumerId: string, grantId: string, now: number): GrantCheck {
		const check = this.judge(consumerId, grantId, now);
		if (!check.valid) return check;
		if ((this.heldUntil.get(grantId) ?? 0) > now) return { valid: false, reason: "used" };
		this.heldUntil.set(grantId, now + HOLD_MS);
		return check;
	}

	release(grantId: string): void {
		this.heldUntil.delete(grantId);
	}

	/**
	 * Uses the grant if it is still usable (`use` is the engine's part), then drops its hold.
	 * Call it inside a transaction: the judgement and the use commit together, so a grant
	 * is used at most once however many orders race for it.
	 */
	complete(consumerId: string, grantId: string, now: number, use: () => void): GrantCheck {
		const check = this.judge(consumerId, grantId, now);
		if (check.valid) use();
		this.release(grantId);
		return check;
	}
}
