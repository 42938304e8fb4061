import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { checkoutUrlField } from "../checkout/schema";

export const entryStatus = z.enum(["QUEUED", "ADMITTED", "COMPLETED", "DENIED", "LEFT", "EXPIRED"]);

export const queueStatsSchema = z
	.object({
		queued: z.number().int().describe("Waiting now"),
		admitted: z.number().int().describe("Admitted since the queue opened"),
		active: z.number().int().describe("Holding a live admission grant now"),
		completed: z.number().int(),
		left: z.number().int(),
		denied: z.number().int(),
		expired: z.number().int(),
		admittedLastMinute: z.number().int(),
		nowServing: z
			.number()
			.int()
			.describe("Line number of the last consumer admitted from the front (back-of-line admissions leave it alone)"),
	})
	.meta({ id: "QueueStats" });

export const queueEntrySchema = z
	.object({
		consumerId: z.string(),
		status: entryStatus,
		position: z.number().int().nullable(),
		enteredAt: isoDateTime(),
		admittedAt: isoDateTime().nullable(),
		expiresAt: isoDateTime().nullable(),
		finishedAt: isoDateTime().nullable(),
		reason: z.string().nullable(),
	})
	.meta({ id: "QueueEntry" });

export const admitBody = z.strictObject({ count: z.number().int().min(1).max(10_000) }).meta({ id: "AdmitRequest" });
export const denyBody = z
	.strictObject({ reason: z.string().trim().min(1).max(500).optional() })
	.meta({ id: "DenyRequest" });

/** What a shopper sees of their own place in a queue. */
export const queueStateSchema = z
	.object({
		consumerId: z.string(),
		status: z
			.enum([...entryStatus.options, "SOLD_OUT"])
			.describe("SOLD_OUT: still in line, but the product has no stock left (a restock lets the line move again)"),
		position: z.number().int().nullable().describe("1-based place among those waiting; null in the pre-queue"),
		estimatedWaitSeconds: z.number().int().nullable(),
		ticket: z.string().describe("Opaque position ticket, bound to this queue and consumer"),
		backOfLine: z
			.literal(true)
			.optional()
			.describe(
				"Present while queued behind every consumer who passed the sequence's challenge (protection `onFailure: " +
					"back-of-line`, the challenge missing or failed): admitted only when none of them waits. Entering again " +
					"with a passing challenge moves you to the back of the front line.",
			),
		admissionToken: z.string().optional().describe("Single-use admission grant (EdDSA JWT), when ADMITTED"),
		admissionExpiresAt: isoDateTime().optional(),
		checkoutUrl: checkoutUrlField,
	})
	.meta({ id: "QueueEntryState" });
