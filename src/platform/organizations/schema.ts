import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { isTimeZone } from "../../lib/time";

export const timeZone = () =>
	z
		.string()
		.max(64)
		.refine(isTimeZone, "Unknown IANA time zone (for example America/New_York)")
		.meta({ example: "America/New_York" });

export const organizationSchema = z
	.object({
		id: z.string().meta({ example: "org_01HXYZ123456789ABCDEFGHJK" }),
		name: z.string(),
		defaultTimeZone: z.string(),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Organization" });

export const createOrganizationBody = z
	.strictObject({
		name: z.string().trim().min(1).max(200),
		defaultTimeZone: timeZone().default("UTC"),
	})
	.meta({ id: "CreateOrganization" });

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

export const createdOrganizationSchema = z
	.object({
		organization: organizationSchema,
		secretKey: createdApiKeySchema,
		publishableKey: createdApiKeySchema,
	})
	.meta({ id: "CreatedOrganization" });
