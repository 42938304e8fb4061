/**
 * The sweep that follows an APP_SECRET rotation, shared by every table holding sealed secrets
 * (webhook endpoints, Turnstile settings): the rows not sealed with the active version, up to
 * `perRun` a run, each sealed again by `reseal`, and one log line saying what was done and
 * whether more are left (the runbook waits for none before retiring the old version).
 */
import { activeVersion, withVersion } from "./secrets";

/** What became of one row: sealed again, changed meanwhile (left for the next run), or unreadable. */
export type ResealOutcome = "resealed" | "skipped" | "unreadable";

export interface ResealSweep<Row> {
	/** What the log line names, e.g. "webhook secrets". */
	what: string;
	perRun: number;
	/** Up to `limit` rows whose ciphertext does not start with `prefix` (the active version's). */
	load(prefix: string, limit: number): Promise<Row[]>;
	reseal(row: Row): Promise<ResealOutcome>;
}

export async function resealSweep<Row>(
	config: string,
	sweep: ResealSweep<Row>,
): Promise<{ resealed: number; unreadable: number }> {
	const version = activeVersion(config);
	const rows = await sweep.load(withVersion(version, ""), sweep.perRun);
	let resealed = 0;
	let unreadable = 0;
	for (const row of rows) {
		const outcome = await sweep.reseal(row);
		if (outcome === "resealed") resealed++;
		else if (outcome === "unreadable") unreadable++;
	}
	if (rows.length) {
		console.log(
			JSON.stringify({
				level: "info",
				message: `${sweep.what} resealed`,
				secretVersion: version,
				resealed,
				unreadable,
				more: rows.length === sweep.perRun,
			}),
		);
	}
	return { resealed, unreadable };
}
