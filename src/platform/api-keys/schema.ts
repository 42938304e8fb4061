import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";

export const apiKeySchema = z
	.object({
		id: z.string().meta({ example: "key_01HXYZ123456789ABCDEFGHJK" }),
		type: z.enum(["secret", "publishable"]),
		name: z.string(),
		prefix: z.string().describe("The key's first characters, to tell keys apart").meta({ example: "sk_live_a1B2" }),
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
	})
	.meta({ id: "CreateApiKey" });
