/** Request-body rules for every route: JSON only (415 otherwise) and at most 64 KB (413). */
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../problems";

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export const jsonOnly = createMiddleware(async (c, next) => {
	if (c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") {
		const length = c.req.header("Content-Length");
		const hasBody = (length !== undefined && length !== "0") || c.req.header("Transfer-Encoding") !== undefined;
		const type = c.req.header("Content-Type");
		if ((hasBody || type) && !JSON_TYPE.test(type ?? "")) {
			throw new ApiError(
				415,
				"Unsupported media type",
				"Send the request body as JSON: Content-Type: application/json.",
			);
		}
	}
	await next();
});

export const limitBody = bodyLimit({
	maxSize: MAX_BODY_BYTES,
	onError: () => {
		throw new ApiError(413, "Payload too large", `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KB.`);
	},
});
