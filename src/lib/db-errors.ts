/** Recognises D1 constraint failures so routes can answer 409 instead of 500. */
export function isUniqueViolation(err: unknown, columns?: string): boolean {
	for (let e: unknown = err; e instanceof Error; e = e.cause) {
		if (e.message.includes("UNIQUE constraint failed") && (!columns || e.message.includes(columns))) return true;
	}
	return false;
}
