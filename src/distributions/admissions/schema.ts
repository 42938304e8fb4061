import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";

const token = () => z.string().min(1).max(4096).describe("The admission grant (EdDSA JWT) the consumer brought");

const sessionId = () =>
	z
		.string()
		.min(1)
		.max(128)
		.optional()
		.describe(
			"Your shopper's session, as you bound its consumer tokens (`sessionId` of POST /api/v1/consumers/:id/tokens): " +
				"a grant bound to another session is refused (`session_mismatch`). Unbound grants ignore it.",
		);

export const validateAdmissionBody = z
	.strictObject({ token: token(), sessionId: sessionId() })
	.meta({ id: "ValidateAdmission" });

export const completeAdmissionBody = z
	.strictObject({
		token: token(),
		sessionId: sessionId(),
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
		reason: z
			.enum(["invalid", "unknown", "expired", "used", "revoked", "session_mismatch"])
			.optional()
			.describe("Why it is not valid"),
		sessionId: z.string().optional().describe("The session the grant is bound to (its `sid`), when it is bound"),
	})
	.meta({ id: "AdmissionValidity" });

const ids = (field: string) => z.string().trim().min(1).max(64).describe(field);

export const revokeAdmissionBody = z
	.strictObject({
		token: token().optional().describe("The grant itself: names its distribution, consumer and id"),
		distributionId: ids("The queue, draw or auction that issued the grant").optional(),
		grantId: ids("The grant's `jti`").optional(),
		consumerId: ids("Revoke this consumer's live grant for the distribution").optional(),
	})
	.superRefine((b, ctx) => {
		if (b.token !== undefined) {
			if (b.distributionId ?? b.grantId ?? b.consumerId)
				ctx.addIssue({
					code: "custom",
					path: ["token"],
					message: "Send either token or distributionId with grantId/consumerId",
				});
		} else if (b.distributionId === undefined) {
			ctx.addIssue({ code: "custom", path: ["distributionId"], message: "Required unless token is sent" });
		} else if (b.grantId === undefined && b.consumerId === undefined) {
			ctx.addIssue({ code: "custom", path: ["grantId"], message: "Send grantId, consumerId or both" });
		}
	})
	.meta({ id: "RevokeAdmission" });

export const revokedAdmissionsSchema = z
	.object({
		revoked: z
			.array(z.object({ grantId: z.string(), consumerId: z.string().nullable(), distributionId: z.string() }))
			.describe("Grants revoked by this call (empty when they were revoked already, used or expired)"),
	})
	.meta({ id: "RevokedAdmissions" });

export const completedAdmissionSchema = z
	.object({
		completed: z.literal(true),
		consumerId: z.string(),
		distributionId: z.string(),
	})
	.meta({ id: "CompletedAdmission" });
