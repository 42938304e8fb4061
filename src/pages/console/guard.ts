/** The API's scope rule, applied to console actions: the same `missingScope` as `/api/v1`, for the same resource. */
import type { Context } from "hono";
import type { z } from "zod";
import { forbidden, validationFailed } from "../../http/problems";
import { toFieldErrors } from "../../http/router";
import { missingScope } from "../../platform/api-keys/scopes";
import type { ConsoleEnv } from "./env";

/** Throws the API's 403 when the session's key lacks the scope `method` on `resource` needs. */
export function need(c: Context<ConsoleEnv>, resource: string, method = c.req.method) {
	const missing = missingScope(c.get("tenant").scopes, method, `/api/v1/${resource}`);
	if (missing) {
		throw forbidden(`This API key lacks the "${missing}" scope needed for this.`, [
			{ path: "scopes", message: `Missing scope: ${missing}` },
		]);
	}
}

/** Validates with the API's own schema, so a form accepts exactly what the API does (400 with each field). */
export function valid<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
	const parsed = schema.safeParse(input);
	if (!parsed.success) throw validationFailed(toFieldErrors(parsed.error.issues));
	return parsed.data;
}

/** A form's text fields; empty ones are absent. */
export async function formOf(c: Context<ConsoleEnv>): Promise<Record<string, string | string[]>> {
	const body = await c.req.parseBody({ all: true });
	const out: Record<string, string | string[]> = {};
	for (const [k, v] of Object.entries(body)) {
		if (k === "_csrf") continue;
		const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string" && x.trim() !== "");
		if (values.length) out[k] = values.length === 1 && !k.endsWith("[]") ? values[0] : values;
	}
	return out;
}
