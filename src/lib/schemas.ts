/** Building blocks shared by the resource schemas (request validation, types and OpenAPI alike). */
import { z } from "zod";

export const isoDateTime = () => z.string().meta({ format: "date-time", example: "2024-12-01T10:00:00Z" });

/** Any string: an id that cannot exist is a 404 like any other unknown id, never a 400. */
export const idParam = z.object({ id: z.string().min(1) });

export const problemSchema = z
	.object({
		type: z.string(),
		title: z.string().meta({ example: "Validation failed" }),
		status: z.number().int(),
		detail: z.string().optional(),
		errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
	})
	.meta({ id: "Problem", description: "RFC 9457 problem details" });

/** Free-form merchant metadata: a JSON object of at most 50 keys and 16 KB. */
export const metadata = () =>
	z
		.record(z.string().max(100), z.unknown())
		.refine((v) => Object.keys(v).length <= 50, "At most 50 keys")
		.refine((v) => JSON.stringify(v).length <= 16_384, "At most 16 KB of JSON")
		// The route-contract generator leaves a record's key schema out of the document; state it.
		.meta({ propertyNames: { type: "string", maxLength: 100 } });

/** Where a browser cannot set headers (WebSockets), the credentials may come as query parameters. */
export const liveQuery = z.object({
	key: z.string().optional().describe("Publishable key, if X-Publishable-Key cannot be sent"),
	token: z.string().optional().describe("Consumer access token, if Authorization cannot be sent"),
	ticket: z.string().optional().describe("Position ticket, instead of the access token"),
});
