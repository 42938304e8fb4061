import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { checkoutUrlField } from "../checkout/schema";

const inclusionStep = z.object({ sibling: z.string().nullable(), side: z.enum(["left", "right"]) });

export const drawStateSchema = z
	.object({
		consumerId: z.string(),
		status: z.enum(["ENTERED", "WON", "LOST", "LEFT", "CLAIMED", "EXPIRED"]),
		ticket: z
			.string()
			.describe("Opaque; send as X-Draw-Ticket on GET …/status to follow this entry without the access token"),
		receipt: z.object({
			entryId: z.string(),
			enteredAt: isoDateTime(),
			commitment: z.string().describe("SHA-256 of the secret seed, fixed before the first entry"),
			signature: z.string().describe("EdDSA JWT (typ receipt) over entryId and commitment"),
			leafIndex: z.number().int().optional(),
			merkleRoot: z.string().optional(),
			inclusionProof: z.array(inclusionStep).optional(),
		}),
		admissionToken: z.string().optional().describe("Winners: the grant to claim with"),
		claimBy: isoDateTime().optional(),
		checkoutUrl: checkoutUrlField,
	})
	.meta({ id: "DrawEntryState" });

export const drawProofSchema = z
	.object({
		drawId: z.string(),
		status: z.string(),
		algorithm: z.literal("fanfare-edge/draw-v1"),
		commitment: z.string(),
		entryCount: z.number().int().nullable(),
		merkleRoot: z.string().nullable(),
		seed: z.string().nullable().describe("Revealed at the draw"),
		winnerCount: z.number().int().nullable(),
		winners: z.array(z.string()).describe("Entry ids, best rank first"),
		backfills: z.array(z.string()).describe("Entry ids that took expired places, in order"),
		drawnAt: isoDateTime().nullable(),
	})
	.meta({ id: "DrawProof" });

export const drawEntrySchema = z
	.object({
		entryId: z.string(),
		consumerId: z.string(),
		status: z.enum(["ENTERED", "WON", "LOST", "LEFT", "CLAIMED", "EXPIRED"]),
		enteredAt: isoDateTime(),
	})
	.meta({ id: "DrawEntry" });

export const drawResultsSchema = z
	.object({
		drawId: z.string(),
		status: z.string(),
		entryCount: z.number().int().nullable(),
		winnerCount: z.number().int().nullable(),
		winners: z.array(
			z.object({
				entryId: z.string(),
				consumerId: z.string(),
				status: z.enum(["WON", "CLAIMED", "EXPIRED"]),
				backfilled: z.boolean(),
				wonAt: isoDateTime(),
				claimBy: isoDateTime(),
				finishedAt: isoDateTime().nullable(),
			}),
		),
	})
	.meta({ id: "DrawResults" });
