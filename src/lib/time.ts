/** Time in the API: ISO 8601 in, `YYYY-MM-DDTHH:mm:ssZ` (UTC, whole seconds) out. */
export function isoSeconds(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function isoOrNull(ms: number | null | undefined): string | null {
	return ms == null ? null : isoSeconds(ms);
}

/** True for a zone the runtime's IANA database knows (`America/New_York`, `UTC`). */
export function isTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat("en-US", { timeZone: zone });
		return zone.length > 0;
	} catch {
		return false;
	}
}
