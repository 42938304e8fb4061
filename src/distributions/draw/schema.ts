import { z } from "zod";
import { isoDateTime } from "../../lib/schemas";
import { checkoutUrlField } from "../checkout/schema";

const hash = () =>
	z
		.string()
		.regex(/^[0-9a-f]{64}$/)
		.describe("SHA-256, hex");

export const drawReceiptSchema = z
	.object({
		entryId: z.string(),
		enteredAt: isoDateTime(),
		seq: z.number().int().describe("The entry's `enter` record in the draw's log (0-based)"),
		size: z.number().int().describe("The log's size right after that record (seq + 1)"),
		root: hash().describe("The log's RFC 9162 Merkle root at that size"),
		round: z.number().int().describe("The drand round R the draw was to be ranked by when this entry was made"),
		signature: z
			.string()
			.describe("EdDSA JWT (typ receipt) over entry, seq, size, root and round; keys at /.well-known/jwks.json"),
		sealed: z
			.object({
				size: z.number().int(),
				root: hash(),
				inclusionProof: z.array(hash()).describe("RFC 9162 §2.1.3 path of record `seq` in the sealed tree"),
				consistencyProof: z
					.array(hash())
					.describe("RFC 9162 §2.1.4 proof that the receipt's tree is a prefix of the sealed one"),
			})
			.optional()
			.describe("Once the draw has closed"),
	})
	.meta({ id: "DrawReceipt" });

export const drawStateSchema = z
	.object({
		consumerId: z.string(),
		status: z.enum(["ENTERED", "WON", "LOST", "LEFT", "CLAIMED", "EXPIRED"]),
		ticket: z
			.string()
			.describe("Opaque; send as X-Draw-Ticket on GET …/status to follow this entry without the access token"),
		receipt: drawReceiptSchema,
		admissionToken: z.string().optional().describe("Winners: the grant to claim with"),
		claimBy: isoDateTime().optional(),
		checkoutUrl: checkoutUrlField,
	})
	.meta({ id: "DrawEntryState" });

const logHead = z.object({ size: z.number().int(), root: hash() });

export const drawProofSchema = z
	.object({
		drawId: z.string(),
		status: z.string(),
		algorithm: z.literal("fanfare-edge/draw-v2"),
		chain: z
			.object({
				hash: z.string(),
				publicKey: z.string().describe("BLS12-381 G2 public key, hex"),
				period: z.number().int(),
				genesisTime: z.number().int(),
				dev: z.boolean().describe("true: the local dev beacon — proves nothing to the public"),
			})
			.describe("The drand chain (quicknet in production)"),
		round: z.number().int().nullable().describe("R: fixed from the times, before any entry; null while unscheduled"),
		roundAt: isoDateTime().nullable().describe("When R is produced: the draw happens then (or at drawAt, if later)"),
		sealMarginMs: z.number().int().describe("R is the first round at or after both drawAt and closeAt + this margin"),
		log: logHead.describe("The entry log's head now (GET …/log for its records)"),
		seal: z
			.object({
				drawId: z.string(),
				size: z.number().int(),
				root: hash(),
				round: z.number().int(),
				sealedAt: isoDateTime(),
				signature: z.string().describe("EdDSA JWT (typ draw-seal) over size, root and round"),
			})
			.nullable()
			.describe("Published at close, before R exists"),
		beacon: z
			.object({ round: z.number().int(), signature: z.string(), randomness: hash() })
			.nullable()
			.describe("Round R as the relays gave it; its BLS signature verifies against chain.publicKey"),
		awaitingBeacon: z
			.object({ since: isoDateTime(), attempts: z.number().int(), lastFailure: z.string() })
			.nullable()
			.describe("Past R's time with no verified round yet: the draw stays CLOSED and retries"),
		winnerCount: z.number().int().nullable(),
		winners: z.array(z.string()).describe("Entry ids, best rank first"),
		backfills: z.array(z.string()).describe("Entry ids that took expired places, in order"),
		drawnAt: isoDateTime().nullable(),
	})
	.meta({ id: "DrawProof" });

export const drawLogProofSchema = z
	.object({
		size: z.number().int(),
		root: hash(),
		seq: z.number().int().optional(),
		inclusionProof: z.array(hash()).optional(),
		from: z.number().int().optional(),
		fromRoot: hash().optional(),
		consistencyProof: z.array(hash()).optional(),
	})
	.meta({ id: "DrawLogProof" });

export const drawLogProofQuery = z.object({
	size: z.coerce.number().int().min(0).optional().describe("The tree size the proof is for (default: the log's head)"),
	seq: z.coerce.number().int().min(0).optional().describe("Inclusion: the record"),
	from: z.coerce.number().int().min(0).optional().describe("Consistency: the smaller size"),
});

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
