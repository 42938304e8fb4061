import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { isTimeZone } from "../../lib/time";
import { createdApiKeySchema } from "../api-keys/schema";

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

export const createdOrganizationSchema = z
	.object({
		organization: organizationSchema,
		secretKey: createdApiKeySchema,
		publishableKey: createdApiKeySchema,
	})
	.meta({ id: "CreatedOrganization" });
