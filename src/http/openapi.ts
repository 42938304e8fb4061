/**
 * Pieces of route contracts (`createRoute`): the same response shapes, security
 * schemes and standard errors for every operation, so each route states only what
 * is its own. The schemas are the ones the routes validate with.
 */
import type { z } from "zod";
import { problemSchema } from "../lib/schemas";

export const SECURITY = {
	none: [],
	secret: [{ secretKey: [] }],
	platform: [{ platformToken: [] }],
	publishable: [{ publishableKey: [] }],
	consumer: [{ publishableKey: [], consumerToken: [] }],
};
export type Security = keyof typeof SECURITY;

const problem = (description: string) => ({
	description,
	content: { "application/problem+json": { schema: problemSchema } },
});

const STANDARD_ERRORS = {
	400: problem("Validation failed"),
	401: problem("Authentication required"),
	403: problem("Permission denied"),
	429: problem("Rate limit exceeded"),
};

/** A JSON success response. */
export const json = <T extends z.ZodType>(schema: T, description = "Success") => ({
	description,
	content: { "application/json": { schema } },
});

/** A success without a body (204, 101, 302). */
export const empty = (description = "Success, no content") => ({ description });

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
	content: { "application/json": { schema } },
	required: true,
});

/** An optional JSON request body: a request without one (no Content-Type) is validated as `{}`. */
export const optionalJsonBody = <T extends z.ZodType>(schema: T) => ({
	content: { "application/json": { schema } },
	required: false,
});

/**
 * Error responses: 400/401/403/429 for every authenticated route, plus the ones
 * this route can answer, with what they mean (`{404: "Product not found"}`).
 */
export function errors(extra: Record<number, string> = {}, security: Security = "secret") {
	const out: Record<number, ReturnType<typeof problem>> = security === "none" ? {} : { ...STANDARD_ERRORS };
	for (const [code, text] of Object.entries(extra)) out[Number(code)] = problem(text);
	return out;
}
