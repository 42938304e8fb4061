import { z } from "zod";
import { isoDateTime, metadata } from "../../lib/schemas";
import { timeZone } from "../../platform/organizations/schema";
import { themeSchema } from "./theme";

/** https URLs; plain http only for localhost, so local checkouts work in development. */
export const checkoutUrl = () =>
	z
		.url({ protocol: /^https?$/ })
		.max(2000)
		.refine((u) => {
			// zod runs refinements even after z.url() failed, so the string may not parse.
			const url = URL.canParse(u) ? new URL(u) : null;
			return url?.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url?.hostname ?? "");
		}, "Must be an https URL (http only for localhost)")
		.meta({ example: "https://shop.example.com/checkout" });

const productIds = () =>
	z
		.array(z.string().min(1).max(100))
		.max(100)
		.refine((ids) => new Set(ids).size === ids.length, "Duplicate product ids");

export const experienceSchema = z
	.object({
		id: z.string().meta({ example: "exp_01HXYZ123456789ABCDEFGHJK" }),
		organizationId: z.string(),
		name: z.string(),
		description: z.string().nullable(),
		timeZone: z.string().nullable(),
		checkoutUrl: z.string().nullable(),
		productIds: z.array(z.string()),
		metadata: z.record(z.string(), z.unknown()).nullable(),
		theme: themeSchema.nullable().describe("How the hosted shopper page and widgets look; null = the defaults"),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Experience" });

/** The display name of an experience or a sequence. */
export const name = () => z.string().trim().min(1).max(200);
const description = () => z.string().max(5000);

export const createExperienceBody = z
	.strictObject({
		name: name(),
		description: description().optional(),
		timeZone: timeZone().optional(),
		checkoutUrl: checkoutUrl().optional(),
		productIds: productIds().optional(),
		metadata: metadata().optional(),
		theme: themeSchema.optional(),
	})
	.meta({ id: "CreateExperience" });

export const updateExperienceBody = z
	.strictObject({
		name: name().optional(),
		description: description().nullable().optional(),
		timeZone: timeZone().nullable().optional(),
		checkoutUrl: checkoutUrl().nullable().optional(),
		productIds: productIds().optional(),
		metadata: metadata().nullable().optional(),
		theme: themeSchema.nullable().optional().describe("Replaces the stored theme as a whole; null removes it"),
	})
	.meta({ id: "UpdateExperience" });
