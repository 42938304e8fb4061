/**
 * Cursor pagination: newest first by id (ULIDs sort by creation time), so a page
 * boundary stays put while rows are inserted. The cursor is opaque and signed: it
 * names the last id of the previous page, the list it belongs to and the tenant,
 * and a tampered or foreign cursor is a 400, never a wrong page. It names the APP_SECRET
 * version that signed it, so cursors handed out before a rotation keep working.
 */
import { z } from "zod";
import { fieldError } from "../http/problems";
import { base64url, deriveKey, fromBase64url, hmac, type SecretVersion, timingSafeEqualBytes } from "./crypto";
import { logOpenFailure, secretOf, secretRing, splitVersion, withVersion } from "./secrets";

export const pageQuery = z.object({
	limit: z.coerce.number().int().min(1).max(100).default(50).describe("Page size, 1 to 100"),
	cursor: z.string().max(512).optional().describe("`nextCursor` of the previous page"),
});
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
	data: T[];
	nextCursor: string | null;
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
	z.object({ data: z.array(item), nextCursor: z.string().nullable() });

const MAC_BYTES = 16;
const PURPOSE = "pagination-cursor";

const mac = async (secret: SecretVersion, scope: string, payload: string) =>
	(await hmac(await deriveKey(secret, PURPOSE, "hmac"), `${scope}|${payload}`)).slice(0, MAC_BYTES);

/** `v<N>.<payload>.<mac>`: the APP_SECRET version it was signed with (lib/secrets.ts), the last id, its MAC. */
export async function encodeCursor(secret: string, scope: string, lastId: string): Promise<string> {
	const { active } = secretRing(secret);
	const payload = base64url(new TextEncoder().encode(lastId));
	return withVersion(active.version, `${payload}.${base64url(await mac(active, scope, payload))}`);
}

/**
 * The last id named by `cursor`, or a 400 on `cursor` if it was not minted for `scope` — or was
 * signed with an APP_SECRET version no longer configured (logged; the client starts from page one).
 */
export async function decodeCursor(secret: string, scope: string, cursor: string): Promise<string> {
	// Cursors from before versioning have no `v<N>.` prefix: version 1.
	const { version, rest } = splitVersion(cursor);
	const [payload, macText, extra] = rest.split(".");
	const given = macText ? fromBase64url(macText) : null;
	const wellFormed = payload && given?.byteLength === MAC_BYTES && extra === undefined;
	const key = wellFormed ? secretOf(secret, version, PURPOSE) : null;
	if (wellFormed && !key) {
		throw fieldError(
			"cursor",
			"This cursor has expired (the server's keys were rotated): start again from the first page",
		);
	}
	const ok = key && given && timingSafeEqualBytes(await mac(key, scope, payload), given);
	if (key && !ok) logOpenFailure(PURPOSE, version, "authentication");
	const id = ok ? fromBase64url(payload) : null;
	if (!id) throw fieldError("cursor", "Invalid cursor: pass the nextCursor of a previous page of this list");
	return new TextDecoder().decode(id);
}

/**
 * Turns `limit + 1` rows fetched newest-first into a page: the extra row only says
 * whether another page exists.
 */
export async function toPage<Row extends { id: string }, T>(
	rows: Row[],
	limit: number,
	map: (row: Row) => T,
	secret: string,
	scope: string,
): Promise<Page<T>> {
	const more = rows.length > limit;
	const page = more ? rows.slice(0, limit) : rows;
	const last = page.at(-1);
	return {
		data: page.map(map),
		nextCursor: more && last ? await encodeCursor(secret, scope, last.id) : null,
	};
}

/**
 * A page of rows a Durable Object lists newest first by a numeric position (`cursor`),
 * behind the same signed, opaque cursor as D1 lists. The position is stripped from the rows.
 */
export async function objectPage<Row extends { cursor: number }>(
	secret: string,
	scope: string,
	query: PageQuery,
	fetchRows: (before: number | null, limit: number) => Promise<Row[]>,
): Promise<Page<Omit<Row, "cursor">>> {
	const before = query.cursor ? Number(await decodeCursor(secret, scope, query.cursor)) : null;
	const rows = await fetchRows(before, query.limit + 1);
	const page = rows.slice(0, query.limit);
	const last = page.at(-1);
	return {
		data: page.map(({ cursor: _, ...row }) => row),
		nextCursor: rows.length > query.limit && last ? await encodeCursor(secret, scope, String(last.cursor)) : null,
	};
}
