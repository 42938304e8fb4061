/**
 * Turns a create or update body into distribution columns: times resolved in the
 * right zone, money in minor units, and the rules that span fields checked on the
 * merged result, so a PUT cannot leave a distribution inconsistent.
 */

import { type FieldError, validationFailed } from "../../http/problems";
import { toMinor } from "../../lib/money";
import { parseDateTime } from "../../lib/time";
import type { DistributionRow } from "./repo";
import type { DistributionType } from "./status";

const TIME_FIELDS = ["openAt", "closeAt", "drawAt", "settleAt"] as const;
const MONEY_FIELDS = ["startingBid", "minimumIncrement", "reservePrice", "buyNowPrice"] as const;
const PLAIN_FIELDS = [
	"name",
	"timeZone",
	"metadata",
	"maxCapacity",
	"admissionRate",
	"sessionDurationSeconds",
	"prequeueSeconds",
	"entryShards",
	"winnerCount",
	"maxEntries",
	"claimWindowSeconds",
	"backfill",
	"softCloseSeconds",
	"maxExtensionSeconds",
] as const;

/** Durable Object alarms stop at 2189: times from 2100 on are refused, not scheduled into a 500. */
const LATEST_TIME = Date.UTC(2100, 0, 1);

export type TimeField = (typeof TIME_FIELDS)[number];
export type DistributionPatch = Partial<DistributionRow>;

/** Body fields (already zod-validated) → columns. Throws 400 for a date-time that does not exist. */
export function toPatch(body: Record<string, unknown>, zone: string): DistributionPatch {
	const patch: Record<string, unknown> = {};
	const errors: FieldError[] = [];
	for (const field of TIME_FIELDS) {
		const value = body[field];
		if (value === undefined) continue;
		const ms = value === null ? null : parseDateTime(value as string, zone);
		if (value !== null && ms === null) errors.push({ path: field, message: "Not a valid date-time" });
		else if (ms != null && ms >= LATEST_TIME)
			errors.push({ path: field, message: "Must be before 2100-01-01T00:00:00Z" });
		patch[field] = ms;
	}
	for (const field of MONEY_FIELDS) {
		const value = body[field];
		if (value !== undefined) patch[field] = value === null ? null : toMinor(value as number);
	}
	for (const field of PLAIN_FIELDS) {
		if (body[field] !== undefined) patch[field] = body[field];
	}
	if (errors.length) throw validationFailed(errors);
	return patch as DistributionPatch;
}

/** The cross-field rules of the Distributions API, on the merged row. Throws 400 listing every broken rule. */
export function checkRules(type: DistributionType, row: DistributionPatch): void {
	const errors: FieldError[] = [];
	const { openAt, closeAt, drawAt, settleAt } = row;
	if (openAt != null && closeAt != null && closeAt <= openAt) {
		errors.push({ path: "closeAt", message: "Must be after openAt" });
	}
	const last = type === "draw" ? ["drawAt", drawAt] : type === "auction" ? ["settleAt", settleAt] : null;
	if (last && last[1] != null) {
		const [path, at] = last as [string, number];
		if (closeAt != null && at < closeAt) errors.push({ path, message: "Must be at or after closeAt" });
		else if (closeAt == null && openAt != null && at <= openAt) errors.push({ path, message: "Must be after openAt" });
	}
	if (type === "draw" && row.maxEntries != null && row.winnerCount != null && row.winnerCount > row.maxEntries) {
		errors.push({ path: "winnerCount", message: "Must not exceed maxEntries" });
	}
	if (type === "auction") {
		const { startingBid, reservePrice, buyNowPrice } = row;
		if (startingBid != null && reservePrice != null && startingBid > reservePrice) {
			errors.push({ path: "startingBid", message: "Must not exceed reservePrice" });
		}
		if (reservePrice != null && buyNowPrice != null && reservePrice > buyNowPrice) {
			errors.push({ path: "reservePrice", message: "Must not exceed buyNowPrice" });
		}
		if (startingBid != null && buyNowPrice != null && startingBid > buyNowPrice) {
			errors.push({ path: "startingBid", message: "Must not exceed buyNowPrice" });
		}
	}
	if (errors.length) throw validationFailed(errors);
}

/**
 * How long before the server's clock a time still counts as "now", not the past: a client's
 * clock running a little behind ours, and `"openAt": <now>` computed a moment before the
 * request arrived (a slow network, a retry), must not turn into a 400. A minute covers both;
 * a time older than that is a mistake the merchant should hear about, not a status to derive.
 */
export const PAST_GRACE_MS = 60_000;

/**
 * The times a create sets, or a PUT changes, must not be past (more than PAST_GRACE_MS
 * before `now`): they would fire at once, or never, instead of when the merchant meant.
 * On create (`before` null) every time given counts; on a PUT only the changed fields, so
 * a PUT that resends (or leaves) the past openAt of an OPEN distribution still works. A
 * null time ("not scheduled") never counts. Throws 400 naming each field.
 */
export function checkNotPast(patch: DistributionPatch, before: DistributionPatch | null, now: number): void {
	const errors: FieldError[] = TIME_FIELDS.filter((f) => {
		const at = patch[f];
		return at != null && (before == null || at !== before[f]) && at < now - PAST_GRACE_MS;
	}).map((path) => ({ path, message: "Must not be in the past" }));
	if (errors.length) throw validationFailed(errors);
}

/** Which timing fields differ between two rows: these changes publish `distribution.updated`. */
export function changedTimes(before: DistributionPatch, after: DistributionPatch): TimeField[] {
	return TIME_FIELDS.filter((f) => (before[f] ?? null) !== (after[f] ?? null));
}
