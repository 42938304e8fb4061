/**
 * RFC 9457 problem details: the one error shape of the whole API.
 * Titles follow the spec's tables ("Validation failed", "Authentication required", …).
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
	path: string;
	message: string;
}

export interface Problem {
	type: string;
	title: string;
	status: number;
	detail?: string;
	errors?: FieldError[];
}

const slug = (title: string) =>
	title
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/(^-|-$)/g, "");

export class ApiError extends Error {
	constructor(
		readonly status: ContentfulStatusCode,
		readonly title: string,
		readonly detail?: string,
		readonly errors?: FieldError[],
		readonly headers?: Record<string, string>,
	) {
		super(detail ?? title);
	}

	toProblem(): Problem {
		return {
			type: `/problems/${slug(this.title)}`,
			title: this.title,
			status: this.status,
			...(this.detail ? { detail: this.detail } : {}),
			...(this.errors?.length ? { errors: this.errors } : {}),
		};
	}
}

export const validationFailed = (errors: FieldError[], detail?: string) =>
	new ApiError(400, "Validation failed", detail, errors);
export const fieldError = (path: string, message: string) => validationFailed([{ path, message }]);
export const unauthorized = (detail = "Provide a valid API key: Authorization: Bearer <key>.") =>
	new ApiError(401, "Authentication required", detail, undefined, { "WWW-Authenticate": "Bearer" });
export const forbidden = (detail: string, errors?: FieldError[]) =>
	new ApiError(403, "Permission denied", detail, errors);
export const notFound = (resource: string) => new ApiError(404, `${resource} not found`);
export const conflict = (title: string, detail?: string, errors?: FieldError[]) =>
	new ApiError(409, title, detail, errors);

/**
 * A WebSocket upgrade answered by a Durable Object: the 101 as is, or its refusal (a plain-text
 * "Queue not found", "Invalid ticket", …) as the problem every other route answers.
 */
export async function upgradeOrProblem(res: Response): Promise<Response> {
	if (res.status === 101) return res;
	// An object's refusal names its detail and Retry-After in headers (a cap on live sockets does).
	const detail = res.headers.get("X-Problem-Detail") ?? undefined;
	const retryAfter = res.headers.get("Retry-After");
	throw new ApiError(
		res.status as ContentfulStatusCode,
		(await res.text()) || "Upgrade refused",
		detail,
		undefined,
		retryAfter ? { "Retry-After": retryAfter } : undefined,
	);
}

export function problemResponse(c: Context, error: ApiError): Response {
	for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
	return c.body(JSON.stringify(error.toProblem()), error.status, {
		"Content-Type": "application/problem+json",
	});
}

/** `app.onError`: known errors map to their problem; anything else is a 500 that reveals nothing. */
export function onError(err: Error, c: Context): Response {
	if (err instanceof ApiError) return problemResponse(c, err);
	if (err instanceof HTTPException) {
		const status = err.status as ContentfulStatusCode;
		if (status === 400) return problemResponse(c, validationFailed([], "The request body is not valid JSON."));
		if (status === 413) return problemResponse(c, new ApiError(413, "Payload too large", err.message));
		return problemResponse(c, new ApiError(status, err.message || "Request failed"));
	}
	// No stack and no request data in logs: the error's own message, cut short, is enough to find it.
	console.error(
		`unhandled ${err?.name ?? "Error"} for ${c.get("requestId") ?? "?"}: ${String(err?.message).slice(0, 200)}`,
	);
	return problemResponse(c, new ApiError(500, "Server error", "Something went wrong on our side; retry later."));
}

export function notFoundHandler(c: Context): Response {
	return problemResponse(c, new ApiError(404, "Not found", `No route for ${c.req.method} ${c.req.path}.`));
}
