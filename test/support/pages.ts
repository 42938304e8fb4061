/** Cursor paging: every list of the API answers `{ data, nextCursor }`, newest first. */
import { expect } from "vitest";
import { call } from "./helpers";

export interface Page<T = any> {
	data: T[];
	nextCursor: string | null;
}

/**
 * Every page of the list at `path` (which may carry a query, e.g. `?limit=2&status=OPEN`),
 * following nextCursor to the end: each must answer 200 with no more items than the path's
 * `limit`. Fails past `maxPages`.
 */
export async function allPages<T = any>(path: string, key: string, maxPages = 1000): Promise<Page<T>[]> {
	const limit = Number(new URL(path, "https://x").searchParams.get("limit") ?? Number.POSITIVE_INFINITY);
	const out: Page<T>[] = [];
	let cursor: string | null = null;
	do {
		if (out.length >= maxPages) throw new Error(`${path}: still paging after ${maxPages} pages`);
		const next: string = cursor ? `${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}` : "";
		const res = await call(`${path}${next}`, { key });
		expect(res.status, res.text).toBe(200);
		expect(res.json.data.length, `page ${out.length + 1} of ${path}`).toBeLessThanOrEqual(limit);
		out.push(res.json);
		cursor = res.json.nextCursor;
	} while (cursor);
	return out;
}

/** The items of every page of the list at `path`, in order. */
export async function allItems<T = any>(path: string, key: string, maxPages?: number): Promise<T[]> {
	return (await allPages<T>(path, key, maxPages)).flatMap((p) => p.data);
}
