/**
 * What the draw signs (EdDSA JWTs, verifiable with /.well-known/jwks.json):
 *  - an entrant's receipt: its entry, the log record it was appended as, the log's size and root
 *    right after it, and the beacon round R the draw was to be ranked by — so the entrant can
 *    prove, against the sealed log, that nothing before its entry was dropped, reordered or added;
 *  - the seal: the log's size and root at close, and R, signed before R exists.
 * Once sealed, a receipt comes with the inclusion proof of its record in the sealed tree and the
 * consistency proof from its own size to the sealed size (RFC 9162).
 * Owns no table: reads the entry, the `draw` row and the log.
 */
import { isoInstant } from "../../lib/time";
import { signToken } from "../../lib/tokens";
import type { LogStore } from "./log-store";
import type { DrawEntry, DrawRecord, Seal } from "./store";
import type { HeldReceipt } from "./verify";

/** Long enough to outlive any dispute about the draw. */
const LIFETIME_SECONDS = 10 * 365 * 86_400;

export type Receipt = HeldReceipt;

export async function receiptOf(
	signingKey: string,
	t: { id: string; organizationId: string },
	e: DrawEntry & { log_seq: number },
	round: number,
	log: LogStore,
	seal: Seal | null,
): Promise<Receipt> {
	const size = e.log_seq + 1;
	const root = log.rootAt(size) ?? "";
	const iat = Math.floor(e.entered_at / 1000);
	const signature = await signToken(signingKey, {
		sub: e.consumer_id,
		org: t.organizationId,
		typ: "receipt",
		dist: t.id,
		entry: e.entry_id,
		seq: e.log_seq,
		size,
		root,
		round,
		iat,
		exp: iat + LIFETIME_SECONDS,
	});
	const receipt: Receipt = {
		entryId: e.entry_id,
		enteredAt: isoInstant(e.entered_at),
		seq: e.log_seq,
		size,
		root,
		round,
		signature,
	};
	if (seal && size <= seal.size) {
		receipt.sealed = {
			size: seal.size,
			root: seal.root,
			inclusionProof: log.inclusion(e.log_seq, seal.size),
			consistencyProof: log.consistency(size, seal.size),
		};
	}
	return receipt;
}

/** The seal as signed: the statement's fields, and the JWT over them (deterministic: signed on each read). */
export async function signedSeal(signingKey: string, t: { id: string; organizationId: string }, seal: Seal) {
	const iat = Math.floor(seal.sealedAt / 1000);
	const signature = await signToken(signingKey, {
		sub: t.id,
		org: t.organizationId,
		typ: "draw-seal",
		dist: t.id,
		size: seal.size,
		root: seal.root,
		round: seal.round,
		iat,
		exp: iat + LIFETIME_SECONDS,
	});
	return {
		drawId: t.id,
		size: seal.size,
		root: seal.root,
		round: seal.round,
		sealedAt: isoInstant(seal.sealedAt),
		signature,
	};
}

/** The round R the draw is ranked by (and the record it lives in). */
export const roundOf = (record: DrawRecord | null) => record?.seal?.round ?? record?.round ?? 0;
