import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";

export const accessTokenSchema = z
	.object({
		consumerId: z.string(),
		accessToken: z.string().describe("EdDSA JWT; send as Authorization: Bearer <accessToken> on /consumer/v1"),
		tokenType: z.literal("Bearer"),
		expiresAt: isoDateTime(),
	})
	.meta({ id: "AccessToken" });

export const queueStateSchema = z
	.object({
		consumerId: z.string(),
		status: z.enum(["QUEUED", "ADMITTED", "COMPLETED", "DENIED", "LEFT", "EXPIRED"]),
		position: z.number().int().nullable().describe("1-based place among those waiting; null in the pre-queue"),
		estimatedWaitSeconds: z.number().int().nullable(),
		ticket: z.string().describe("Opaque position ticket, bound to this queue and consumer"),
		admissionToken: z.string().optional().describe("Single-use admission grant (EdDSA JWT), when ADMITTED"),
		admissionExpiresAt: isoDateTime().optional(),
		checkoutUrl: z
			.string()
			.optional()
			.describe("With a grant: the merchant's checkout, with the grant and ids as query parameters"),
	})
	.meta({ id: "QueueEntryState" });

/** Where a browser cannot set headers (WebSockets), the credentials may come as query parameters. */
export const liveQuery = z.object({
	key: z.string().optional().describe("Publishable key, if X-Publishable-Key cannot be sent"),
	token: z.string().optional().describe("Consumer access token, if Authorization cannot be sent"),
	ticket: z.string().optional().describe("Position ticket, instead of the access token"),
});
