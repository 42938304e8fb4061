import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { API_KEY_SCOPES } from "./scopes";

const scope = z.enum(API_KEY_SCOPES);

export const apiKeySchema = z
	.object({
		id: z.string().meta({ example: "key_01HXYZ123456789ABCDEFGHJK" }),
		type: z.enum(["secret", "publishable"]),
		name: z.string(),
		prefix: z.string().describe("The key's first characters, to tell keys apart").meta({ example: "sk_live_a1B2" }),
		scopes: z
			.array(scope)
			.describe("What a secret key may do; empty for a publishable key")
			.meta({ example: [...API_KEY_SCOPES] }),
		createdAt: isoDateTime(),
		lastUsedAt: isoDateTime().nullable(),
	})
	.meta({ id: "ApiKey" });

export const createdApiKeySchema = apiKeySchema
	.extend({ key: z.string().describe("The full key. Shown only in this response: store it now.") })
	.meta({ id: "CreatedApiKey" });

export const createApiKeyBody = z
	.strictObject({
		type: z.enum(["secret", "publishable"]),
		name: z.string().trim().min(1).max(200),
		scopes: z
			.array(scope)
			.min(1)
			.refine((s) => new Set(s).size === s.length, "Duplicate scopes")
			.optional()
			.describe(
				"Secret keys only. `read` (every GET), `catalog`, `distributions`, `events` (events and webhooks), `keys`. " +
					"Default: the scopes of the key creating it; never more than it holds.",
			),
	})
	.refine((b) => b.type === "secret" || b.scopes === undefined, {
		path: ["scopes"],
		message: "Publishable keys have no scopes",
	})
	.meta({ id: "CreateApiKey" });
