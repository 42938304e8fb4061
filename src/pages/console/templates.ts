/**
 * Distribution templates: the spec's three create examples (distributions-api.txt: "Launch Day
 * Queue", "Holiday Raffle", "Rare Collectible Auction") with their numbers, and their times moved
 * to the coming days at the same wall-clock hours, in the experience's time zone.
 */
import type { DistributionType } from "../../distributions/common/status";

export interface TimeDefault {
	field: "openAt" | "closeAt" | "drawAt" | "settleAt";
	label: string;
	/** Days from today, and the wall-clock time (in the zone) of the spec's example. */
	days: number;
	at: string;
}

export interface NumberField {
	field: string;
	label: string;
	value: number;
	step?: string;
}

export interface Template {
	type: DistributionType;
	title: string;
	name: string;
	times: TimeDefault[];
	numbers: NumberField[];
}

export const TEMPLATES: Template[] = [
	{
		type: "queue",
		title: "Queue (Launch Day Queue)",
		name: "Launch Day Queue",
		times: [
			{ field: "openAt", label: "Opens", days: 1, at: "09:00" },
			{ field: "closeAt", label: "Closes", days: 1, at: "18:00" },
		],
		numbers: [
			{ field: "maxCapacity", label: "Max capacity (admitted at once)", value: 10000 },
			{ field: "admissionRate", label: "Admission rate (per minute)", value: 100 },
			{ field: "sessionDurationSeconds", label: "Session duration (seconds)", value: 900 },
		],
	},
	{
		type: "draw",
		title: "Draw (Holiday Raffle)",
		name: "Holiday Raffle",
		times: [
			{ field: "openAt", label: "Entries open", days: 1, at: "00:00" },
			{ field: "closeAt", label: "Entries close", days: 14, at: "23:59" },
			{ field: "drawAt", label: "Draw at", days: 15, at: "12:00" },
		],
		numbers: [
			{ field: "winnerCount", label: "Winners", value: 100 },
			{ field: "maxEntries", label: "Max entries", value: 50000 },
		],
	},
	{
		type: "auction",
		title: "Auction (Rare Collectible Auction)",
		name: "Rare Collectible Auction",
		times: [
			{ field: "openAt", label: "Bidding starts", days: 1, at: "09:00" },
			{ field: "closeAt", label: "Bidding ends", days: 6, at: "21:00" },
			{ field: "settleAt", label: "Settles", days: 6, at: "21:30" },
		],
		numbers: [
			{ field: "startingBid", label: "Starting bid", value: 100, step: "0.01" },
			{ field: "minimumIncrement", label: "Minimum increment", value: 10, step: "0.01" },
			{ field: "reservePrice", label: "Reserve price", value: 500, step: "0.01" },
			{ field: "buyNowPrice", label: "Buy-now price", value: 2000, step: "0.01" },
		],
	},
];

export const templateOf = (type: string) => TEMPLATES.find((t) => t.type === type);

/** `YYYY-MM-DDTHH:mm` of an instant on the wall clock of `zone` (what a datetime-local input shows). */
export function localInput(ms: number, zone: string): string {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat("en-CA", {
			timeZone: zone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			minute: "2-digit",
			hourCycle: "h23",
		})
			.formatToParts(ms)
			.map((p) => [p.type, p.value]),
	);
	return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A template time as a datetime-local value: that many days from today in `zone`, at its hour. */
export const defaultTime = (t: TimeDefault, zone: string, now = Date.now()) =>
	`${localInput(now + t.days * 86_400_000, zone).slice(0, 10)}T${t.at}`;
