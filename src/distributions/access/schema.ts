/** The one zod source of the access module: the sequence's `access` field, the enter body, access codes, the allow-list. */
import { z } from "zod";
import { email } from "../../catalog/consumers/schema";
import { isoDateTime } from "../../lib/schemas";
import { ACCESS_MODES } from "./modes";

export const accessMode = z
	.enum(ACCESS_MODES)
	.describe(
		"Who may take part in this sequence's queues, draws and auctions. `open` (default): any consumer, guests included. " +
			"`verified`: only consumers you issued tokens for (POST /api/v1/consumers/{id}/tokens), one entry per person " +
			"(email and phone de-duplicated); guest tokens get 403. `codes`: a live access code of this sequence " +
			"(`accessCode` in the enter body; a code binds to the consumers who redeem it, up to its maxUses). " +
			"`list`: consumers on the sequence's allow-list, by id or email.",
	)
	.meta({ id: "AccessMode" });

/** Queue and draw enter, buy-now; a bid's body adds it to its own fields. */
export const accessCodeField = z
	.string()
	.min(1)
	.max(64)
	.describe("An access code of the sequence, when its access is `codes` (needed once: the code stays bound to you)")
	.meta({ example: "7KQ2-M9XD-4TRB-HC1E" });

/** The refusals of the gate (gate.ts), as every enter path's contract lists them. */
export const ACCESS_REFUSALS = {
	403: "Verified consumers only / Access code required, invalid, revoked, expired or already used / Not on the allow-list / Already entered as another consumer",
};

export const enterBody = z.strictObject({ accessCode: accessCodeField.optional() }).meta({ id: "EnterRequest" });

export const accessCodeStatus = z.enum(["active", "used_up", "expired", "revoked"]);

export const accessCodeSchema = z
	.object({
		id: z.string().meta({ example: "acc_01HXYZ123456789ABCDEFGHJK" }),
		sequenceId: z.string(),
		batchId: z.string().describe("Shared by the codes created in one request"),
		hint: z.string().describe("The code's last four characters: the code itself is shown only once, at creation"),
		maxUses: z.number().int().describe("How many distinct consumers may redeem it"),
		uses: z.number().int().describe("Consumers bound to it so far"),
		status: accessCodeStatus,
		expiresAt: isoDateTime().nullable(),
		revokedAt: isoDateTime().nullable(),
		createdAt: isoDateTime(),
	})
	.meta({ id: "AccessCode" });

export const createdAccessCodesSchema = z
	.object({
		batchId: z.string(),
		data: z.array(accessCodeSchema.extend({ code: z.string().describe("The code itself: shown now and never again") })),
	})
	.meta({ id: "CreatedAccessCodes" });

export const MAX_CODES_PER_REQUEST = 1000;

export const createAccessCodesBody = z
	.strictObject({
		count: z.number().int().min(1).max(MAX_CODES_PER_REQUEST).default(1).describe("How many codes (default 1)"),
		maxUses: z
			.number()
			.int()
			.min(1)
			.max(1_000_000)
			.default(1)
			.describe("Distinct consumers per code: 1 (default) for single-use codes"),
		expiresAt: isoDateTime().optional().describe("After this, the code lets nobody in (bound consumers included)"),
	})
	.meta({ id: "CreateAccessCodes" });

export const listAccessCodesQuery = z.object({
	batchId: z.string().max(64).optional().describe("Only the codes created together with this batchId"),
});

const ids = z.array(z.string().min(1).max(64)).min(1).max(MAX_CODES_PER_REQUEST);

export const revokeAccessCodesBody = z
	.strictObject({
		ids: ids.optional().describe("These codes"),
		batchId: z.string().min(1).max(64).optional().describe("Every code of this batch"),
		all: z.literal(true).optional().describe("Every code of the sequence"),
	})
	.refine((b) => [b.ids, b.batchId, b.all].filter((v) => v !== undefined).length === 1, {
		message: "Send exactly one of ids, batchId or all",
	})
	.meta({ id: "RevokeAccessCodes" });

export const revokedSchema = z
	.object({ revoked: z.number().int().describe("Codes revoked now (those already revoked are not counted)") })
	.meta({ id: "AccessCodesRevoked" });

export const codeParams = z.object({ id: z.string().min(1), codeId: z.string().min(1) });
export const entryParams = z.object({ id: z.string().min(1), entryId: z.string().min(1) });

export const allowListEntrySchema = z
	.object({
		id: z.string().meta({ example: "alw_01HXYZ123456789ABCDEFGHJK" }),
		sequenceId: z.string(),
		consumerId: z.string().nullable(),
		email: z.string().nullable().describe("Normalized: lower case; `+tag` dropped; Gmail dots dropped"),
		createdAt: isoDateTime(),
	})
	.meta({ id: "AllowListEntry" });

export const MAX_ALLOW_LIST_PER_REQUEST = 1000;
const consumerIds = z.array(z.string().min(1).max(64)).max(MAX_ALLOW_LIST_PER_REQUEST);
const emails = z.array(email()).max(MAX_ALLOW_LIST_PER_REQUEST);

const someOf = (b: { consumerIds?: unknown[]; emails?: unknown[] }) =>
	(b.consumerIds?.length ?? 0) + (b.emails?.length ?? 0) > 0;

export const addAllowListBody = z
	.strictObject({ consumerIds: consumerIds.optional(), emails: emails.optional() })
	.refine(someOf, { message: "Send consumerIds or emails (at least one)" })
	.refine((b) => (b.consumerIds?.length ?? 0) + (b.emails?.length ?? 0) <= MAX_ALLOW_LIST_PER_REQUEST, {
		message: `At most ${MAX_ALLOW_LIST_PER_REQUEST} entries per request`,
	})
	.meta({ id: "AddToAllowList" });

export const removeAllowListBody = z
	.strictObject({ consumerIds: consumerIds.optional(), emails: emails.optional() })
	.refine(someOf, { message: "Send consumerIds or emails (at least one)" })
	.meta({ id: "RemoveFromAllowList" });

export const allowListAddedSchema = z
	.object({
		added: z.number().int().describe("Entries new to the list (those already on it are not counted)"),
		data: z.array(allowListEntrySchema).describe("The entries sent, new or already there"),
	})
	.meta({ id: "AllowListAdded" });

export const allowListRemovedSchema = z.object({ removed: z.number().int() }).meta({ id: "AllowListRemoved" });
