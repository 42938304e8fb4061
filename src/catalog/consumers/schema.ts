import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";

export const consumerSchema = z
	.object({
		id: z.string().meta({ example: "con_01HXYZ123456789ABCDEFGHJK" }),
		organizationId: z.string(),
		email: z.string().nullable().describe("Null for guest consumers"),
		fullName: z.string().nullable(),
		phone: z.string().nullable(),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Consumer" });
export type Consumer = z.infer<typeof consumerSchema>;

/** Stored lower-cased and trimmed, so `A@B.com` and `a@b.com ` are the same consumer. */
export const email = () =>
	z.string().trim().max(254).toLowerCase().pipe(z.email("Invalid email address")).meta({ example: "john@example.com" });

const fields = {
	fullName: z.string().trim().min(1).max(200),
	phone: z
		.string()
		.regex(/^\+[1-9]\d{6,14}$/, "Phone must be in E.164 format, e.g. +15551234567")
		.meta({ example: "+15551234567" }),
};

export const createConsumerBody = z
	.strictObject({ email: email(), fullName: fields.fullName.optional(), phone: fields.phone.optional() })
	.meta({ id: "CreateConsumer" });

export const updateConsumerBody = z
	.strictObject({
		email: email().optional(),
		fullName: fields.fullName.nullable().optional(),
		phone: fields.phone.nullable().optional(),
	})
	.meta({ id: "UpdateConsumer" });

/**
 * Guests (`POST /consumer/v1/auth/guest`, no email) can outnumber a merchant's own
 * customers a thousand to one after a launch: the list shows them only when asked.
 */
export const consumerKind = z
	.enum(["merchant", "guest", "all"])
	.default("merchant")
	.describe(
		"`merchant` (default): consumers with an email (created by you, or a guest you gave one); `guest`: guests only; `all`: both",
	);

export const listConsumersQuery = z.object({ email: email().optional(), kind: consumerKind });

export const accessTokenSchema = z
	.object({
		consumerId: z.string(),
		accessToken: z.string().describe("EdDSA JWT; send as Authorization: Bearer <accessToken> on /consumer/v1"),
		tokenType: z.literal("Bearer"),
		expiresAt: isoDateTime(),
	})
	.meta({ id: "AccessToken" });

export const issueTokenBody = z
	.strictObject({
		sessionId: z
			.string()
			.min(8)
			.max(128)
			.regex(/^[\x21-\x7e]+$/, "Printable ASCII without spaces")
			.optional()
			.describe(
				"Binds the tokens to your shopper's session: every admission grant handed out with them carries it as the `sid` claim, " +
					"so your checkout can refuse a grant that arrives in another session (POST /api/v1/admissions/validate with `sessionId`). " +
					"Send an opaque value derived from your session (e.g. an HMAC of its id), never the session cookie itself.",
			)
			.meta({ example: "sess_5f2c8e1b9a" }),
	})
	.meta({ id: "IssueConsumerToken" });

export const sessionSchema = accessTokenSchema
	.extend({
		refreshToken: z
			.string()
			.describe(
				"Opaque and single-use: exchange it at POST /consumer/v1/auth/refresh for a new pair before it expires",
			),
		refreshExpiresAt: isoDateTime().describe("The refresh token's expiry: 30 days after it was issued"),
	})
	.meta({ id: "ConsumerSession" });

export const refreshBody = z
	.strictObject({ refreshToken: z.string().min(1).max(4096).meta({ example: "rt_3kTMd9…" }) })
	.meta({ id: "RefreshSession" });

export const guestBody = z
	.strictObject({
		distributionId: z
			.string()
			.min(1)
			.max(64)
			.optional()
			.describe(
				"The queue, draw or auction the guest signs up for: its sequence's challenge (if any) must pass first. Omit for none.",
			),
	})
	.meta({ id: "GuestSessionRequest" });
