/**
 * What a new configuration may still change once its distribution has closed: only a draw's
 * drawAt, while it is undrawn ("draw now", common/service.ts `runDrawNow`).
 *
 * The API refuses to change a closed distribution by its own clock, but it checks before it
 * writes: a PUT checked a few ms before closeAt can reach the object after the close. Applied
 * there it would reopen a sealed draw, whose beacon round is fixed and soon public, so entries
 * added then could be chosen to win; or a closed auction, to take bids again. The object that
 * closed the distribution applies the rule, and nothing can race it there. Owns no state.
 */
import { isClosedOrLater, statusAt } from "../common/status";
import type { DistributionConfig, StoredTimeline } from "./timeline";

/** Closed by its times, or by a transition recorded early (an auction bought out before closeAt). */
export const hasClosed = (t: StoredTimeline, recorded: ReadonlySet<string>, now: number) =>
	recorded.has("CLOSED") || isClosedOrLater(statusAt(t.type, t, now));

/**
 * The fields `next` changes that a closed distribution must keep (none: the configuration may be
 * stored). A field the object's copy lacks (stored before a migration added the column) is not
 * compared: its D1 default says nothing about a change.
 */
export function changesAfterClose(before: StoredTimeline, next: DistributionConfig): string[] {
	return (Object.keys(next) as (keyof DistributionConfig)[]).filter((field) => {
		if (!(field in before) || (next[field] ?? null) === (before[field] ?? null)) return false;
		return !(field === "drawAt" && redrawable(before, next));
	});
}

/**
 * A closed draw not yet drawn may have its drawAt moved: the entries are sealed and R only moves
 * earlier (lottery.ts `reseal`), so its time decides only when the draw runs ("draw now" sets it to
 * now, which may be past the old drawAt of a draw waiting for its beacon).
 */
const redrawable = (before: StoredTimeline, next: DistributionConfig) =>
	before.type === "draw" && before.drawnAt == null && next.drawAt != null;
