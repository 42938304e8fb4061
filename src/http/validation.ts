/**
 * The one validation hook: every failed `validator(...)` becomes a 400
 * `Validation failed` problem listing each field and what is wrong with it.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { type FieldError, validationFailed } from "./problems";

function pathOf(issue: StandardSchemaV1.Issue): string {
	return (issue.path ?? []).map((seg) => String(typeof seg === "object" ? seg.key : seg)).join(".");
}

export function toFieldErrors(issues: readonly StandardSchemaV1.Issue[]): FieldError[] {
	return issues.map((issue) => {
		// zod reports unknown keys on the parent object; name each key instead.
		const keys = (issue as { keys?: string[] }).keys;
		if (keys?.length) {
			const base = pathOf(issue);
			return { path: keys.map((k) => (base ? `${base}.${k}` : k)).join(", "), message: "Unknown field" };
		}
		return { path: pathOf(issue), message: issue.message };
	});
}

export function onInvalid(result: { success: boolean; error?: readonly StandardSchemaV1.Issue[] }): void {
	if (!result.success) throw validationFailed(toFieldErrors(result.error ?? []));
}
