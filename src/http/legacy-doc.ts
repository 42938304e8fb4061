/** LEGACY (removed once every route is a createRoute contract): hono-openapi route descriptions. */
import { describeRoute, resolver } from "hono-openapi";
import type { z } from "zod";
import { problemSchema } from "../lib/schemas";

const problem = (description: string) => ({
	description,
	content: { "application/problem+json": { schema: resolver(problemSchema) } },
});

const STANDARD_ERRORS = {
	400: problem("Validation failed"),
	401: problem("Authentication required"),
	403: problem("Permission denied"),
	429: problem("Rate limit exceeded"),
};

const SECURITY = {
	none: [],
	secret: [{ secretKey: [] }],
	platform: [{ platformToken: [] }],
	publishable: [{ publishableKey: [] }],
	consumer: [{ publishableKey: [], consumerToken: [] }],
};

interface RouteDoc {
	tags: string[];
	summary: string;
	description?: string;
	/** Status → schema of the success body (null for an empty body). */
	ok: [number, z.ZodType | null];
	/** Extra error statuses this route can answer, with what they mean. */
	errors?: Record<number, string>;
	security?: "secret" | "platform" | "publishable" | "consumer" | "none";
}

export function doc({ tags, summary, description, ok, errors = {}, security = "secret" }: RouteDoc) {
	const [status, schema] = ok;
	const responses: Record<string, unknown> = {
		[status]: schema
			? { description: "Success", content: { "application/json": { schema: resolver(schema) } } }
			: { description: "Success, no content" },
		...(security === "none" ? {} : STANDARD_ERRORS),
	};
	for (const [code, text] of Object.entries(errors)) responses[code] = problem(text);
	return describeRoute({
		tags,
		summary,
		description,
		security: SECURITY[security],
		responses: responses as never,
	});
}
