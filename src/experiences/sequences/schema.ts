import { z } from "zod";
import { accessMode } from "../../distributions/access/schema";
import { protectionInput, protectionSchema } from "../../distributions/protection/schema";
import { isoDateTime, metadata } from "../../lib/schemas";
import { checkoutUrl, name } from "../experiences/schema";

export const sequenceSchema = z
	.object({
		id: z.string().meta({ example: "seq_01HXYZ123456789ABCDEFGHJK" }),
		organizationId: z.string(),
		experienceId: z.string(),
		name: z.string(),
		priority: z.number().int(),
		productId: z.string().nullable(),
		checkoutUrl: z.string().nullable().describe("Overrides the experience's checkoutUrl"),
		metadata: z.record(z.string(), z.unknown()).nullable(),
		access: accessMode,
		protection: protectionSchema,
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Sequence" });

const priority = () => z.number().int().min(-1_000_000).max(1_000_000);

export const createSequenceBody = z
	.strictObject({
		name: name(),
		priority: priority().optional().describe("Higher runs first; default 0"),
		productId: z.string().min(1).max(100).optional(),
		checkoutUrl: checkoutUrl().optional(),
		metadata: metadata().optional(),
		access: accessMode.optional().describe("Default `open`"),
		protection: protectionInput.optional().describe('Default `{challenge: "none"}`'),
	})
	.meta({ id: "CreateSequence" });

export const updateSequenceBody = z
	.strictObject({
		name: name().optional(),
		priority: priority().optional(),
		productId: z.string().min(1).max(100).nullable().optional(),
		checkoutUrl: checkoutUrl().nullable().optional(),
		metadata: metadata().nullable().optional(),
		access: accessMode.optional(),
		protection: protectionInput.optional().describe("Replaces the whole setting; missing fields take their defaults"),
	})
	.meta({ id: "UpdateSequence" });
