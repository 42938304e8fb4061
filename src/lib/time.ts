/**
 * Time in the API: ISO 8601 in, `YYYY-MM-DDTHH:mm:ssZ` (UTC, whole seconds) out.
 * A date-time without an offset is wall-clock time in a given IANA zone.
 */
export function isoSeconds(ms: number): string {
	// Lists format two times a row: toISOString costs ≈ 1.2 µs a call in workerd, the arithmetic
	// below ≈ 0.2. Outside 1970–9999 (and for non-finite input) toISOString keeps its own rules.
	if (!(ms >= 0 && ms < MAX_FAST_MS)) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
	const seconds = Math.floor(ms / 1000);
	const days = Math.floor(seconds / 86_400);
	const inDay = seconds - days * 86_400;
	return `${civilDate(days)}T${two(Math.floor(inDay / 3600))}:${two(Math.floor(inDay / 60) % 60)}:${two(inDay % 60)}Z`;
}

/** 10000-01-01T00:00:00Z: from here on toISOString writes a six-digit year. */
const MAX_FAST_MS = 253_402_300_800_000;

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The last day `civilDate` wrote: a list's rows mostly share their days. */
let lastDay = Number.NaN;
let lastDate = "";

/** `YYYY-MM-DD` of a day count since 1970-01-01 (H. Hinnant's civil_from_days, proleptic Gregorian). */
function civilDate(days: number): string {
	if (days === lastDay) return lastDate;
	lastDate = civilFromDays(days);
	lastDay = days;
	return lastDate;
}

function civilFromDays(days: number): string {
	const z = days + 719_468;
	const era = Math.floor(z / 146_097);
	const doe = z - era * 146_097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	return `${year}-${two(month)}-${two(day)}`;
}

/**
 * A time the merchant set (`openAt`, `closeAt`, `drawAt`, `settleAt`): whole seconds as
 * `isoSeconds`, and `.SSS` only when it has milliseconds, so `…:00.123Z` round-trips and a
 * PUT echoing it back is the same instant.
 */
export function isoInstant(ms: number): string {
	return ms % 1000 === 0 ? isoSeconds(ms) : new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null | undefined): string | null {
	return ms == null ? null : isoSeconds(ms);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
	let f = formatters.get(zone);
	if (!f) {
		f = new Intl.DateTimeFormat("en-US", {
			timeZone: zone,
			hourCycle: "h23",
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			minute: "2-digit",
			second: "2-digit",
		});
		formatters.set(zone, f);
	}
	return f;
}

/** True for a zone the runtime's IANA database knows (`America/New_York`, `UTC`). */
export function isTimeZone(zone: string): boolean {
	if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
	try {
		formatter(zone);
		return true;
	} catch {
		return false;
	}
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
function zoneOffset(zone: string, ms: number): number {
	const parts: Record<string, number> = {};
	for (const p of formatter(zone).formatToParts(new Date(ms))) {
		if (p.type !== "literal") parts[p.type] = Number(p.value);
	}
	const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
	return wall - Math.floor(ms / 1000) * 1000;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date-time to epoch ms. With `Z` or an offset it is absolute;
 * without, it is read in `zone` (in a DST gap it moves forward by the gap, in an
 * overlap it takes the earlier instant, as most calendars do). Null if malformed.
 */
export function parseDateTime(text: string, zone: string): number | null {
	const m = ISO_RE.exec(text);
	if (!m) return null;
	const [, y, mo, d, h, mi, s = "0", frac = "0", offset] = m;
	const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
	const ms = Math.floor(Number(`0.${frac}`) * 1000);
	const wall = Date.UTC(...fields, ms);
	// Reject rollovers such as Feb 30 or 24:00.
	const check = new Date(wall);
	if (check.getUTCMonth() !== fields[1] || check.getUTCDate() !== fields[2] || fields[3] > 23 || fields[5] > 59) {
		return null;
	}
	if (offset) {
		if (offset.toUpperCase() === "Z") return wall;
		const sign = offset[0] === "-" ? -1 : 1;
		const digits = offset.slice(1).replace(":", "");
		const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
		if (minutes > 18 * 60) return null;
		return wall - sign * minutes * 60_000;
	}
	// Two passes settle DST: the offset at the first guess may differ from the one at the answer.
	const first = wall - zoneOffset(zone, wall);
	const second = wall - zoneOffset(zone, first);
	return zoneOffset(zone, second) === zoneOffset(zone, first) ? Math.min(first, second) : Math.max(first, second);
}
