/** Recognises D1 constraint failures so routes can answer 409 instead of 500. */
import type { ApiError } from "../http/problems";

export function isUniqueViolation(err: unknown, column?: string): boolean {
	for (let e: unknown = err; e instanceof Error; e = e.cause) {
		if (e.message.includes("UNIQUE constraint failed") && (!column || e.message.includes(column))) return true;
	}
	return false;
}

/** Runs a write; a unique violation on `column` becomes `error()` (a 409), anything else propagates. */
export async function uniqueOr<T>(write: Promise<T>, column: string, error: () => ApiError): Promise<T> {
	try {
		return await write;
	} catch (err) {
		if (isUniqueViolation(err, column)) throw error();
		throw err;
	}
}
