/**
 * `createRouter`: every router of the API is an OpenAPIHono with the one validation hook,
 * so a failed `createRoute` request schema (params, query, headers, JSON body) is always
 * the same 400 `Validation failed` problem, listing each field and what is wrong with it.
 * The error handler (`onError`) is set once, on the app (`http/app.ts`).
 */
import { type Hook, OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Env } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./env";
import { type FieldError, validationFailed } from "./problems";

type Issue = z.core.$ZodIssue;

function pathOf(issue: Issue): string {
	return issue.path.map((seg) => String(seg)).join(".");
}

/** zod issues as the problem's `errors`; unknown keys are reported one path per key, not on their parent. */
export function toFieldErrors(issues: readonly Issue[]): FieldError[] {
	return issues.map((issue) => {
		if (issue.code === "unrecognized_keys" && issue.keys.length) {
			const base = pathOf(issue);
			return { path: issue.keys.map((k) => (base ? `${base}.${k}` : k)).join(", "), message: "Unknown field" };
		}
		return { path: pathOf(issue), message: issue.message };
	});
}

/** The one `defaultHook` (for every route, whatever its schemas): throwing lets `onError` answer, so the problem shape lives in one place. */
export const defaultHook: Hook<any, any, any, any> = (result) => {
	if (!result.success) throw validationFailed(toFieldErrors(result.error.issues));
};

export function createRouter<E extends Env = AppEnv>() {
	return new OpenAPIHono<E>({ defaultHook });
}

/** A handler for route contract `R` (hono-open-api-starter's AppRouteHandler). */
export type AppRouteHandler<R extends RouteConfig, E extends Env = AppEnv> = RouteHandler<R, E>;
