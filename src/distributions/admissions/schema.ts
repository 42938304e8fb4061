import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";

const token = () => z.string().min(1).max(4096).describe("The admission grant (EdDSA JWT) the consumer brought");

export const validateAdmissionBody = z.strictObject({ token: token() }).meta({ id: "ValidateAdmission" });

export const completeAdmissionBody = z
	.strictObject({
		token: token(),
		orderId: z.string().trim().min(1).max(200).optional(),
		orderAmount: money().optional(),
	})
	.meta({ id: "CompleteAdmission" });

export const admissionValiditySchema = z
	.object({
		valid: z.boolean(),
		consumerId: z.string().nullable(),
		distributionId: z.string().nullable(),
		expiresAt: isoDateTime().nullable(),
		reason: z.enum(["invalid", "unknown", "expired", "used", "revoked"]).optional().describe("Why it is not valid"),
	})
	.meta({ id: "AdmissionValidity" });

export const completedAdmissionSchema = z
	.object({
		completed: z.literal(true),
		consumerId: z.string(),
		distributionId: z.string(),
	})
	.meta({ id: "CompletedAdmission" });
