/**
 * What a draw's merchant sees of its entries (the results and the entries page), and the status
 * a consumer's entry shows. Pure functions of the stored rows; owns no table.
 */
import { isoSeconds } from "../../lib/time";
import type { DrawEntry } from "./store";
import type { DrawConsumerStatus } from "./types";

/** Once drawn, an entry still ENTERED was not picked. */
export const consumerStatus = (e: DrawEntry, drawn: boolean): DrawConsumerStatus =>
	e.status === "ENTERED" && drawn ? "LOST" : e.status;

/** A winner or former winner, as the results list it. */
export const resultView = (w: DrawEntry) => ({
	entryId: w.entry_id,
	consumerId: w.consumer_id,
	status: w.status,
	backfilled: w.backfilled === 1,
	wonAt: isoSeconds(w.won_at ?? 0),
	claimBy: isoSeconds(w.claim_by ?? 0),
	finishedAt: w.finished_at == null ? null : isoSeconds(w.finished_at),
});

/** An entry of the merchant's page, with its cursor. */
export const entryView = (e: DrawEntry, drawn: boolean) => ({
	cursor: e.ordinal,
	entryId: e.entry_id,
	consumerId: e.consumer_id,
	status: consumerStatus(e, drawn),
	enteredAt: isoSeconds(e.entered_at),
});
