/** Time in the tests: sleeps, the two ISO forms, and bounded polling. */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sleeps until the wall clock reaches `at` (epoch ms). */
export const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

/** ISO 8601 with milliseconds, so a time round-trips to the exact ms an object uses. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** An instant as the API prints it: UTC, whole seconds (`YYYY-MM-DDTHH:mm:ssZ`). */
export const isoSeconds = (ms: number) => `${iso(ms).slice(0, 19)}Z`;

/** A distribution's time as the API prints it: whole seconds, with `.SSS` only when it has milliseconds. */
export const isoInstant = (ms: number) => (ms % 1000 === 0 ? isoSeconds(ms) : iso(ms));

/** Polls `probe` every `stepMs` until `done`, failing after `timeoutMs` with the last value it saw. */
export async function waitFor<T>(
	label: string,
	probe: () => Promise<T>,
	done: (v: T) => boolean,
	timeoutMs = 5000,
	stepMs = 50,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${label}; last value: ${JSON.stringify(value)}`);
		await sleep(stepMs);
	}
}
