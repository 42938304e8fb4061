/**
 * A draw entrant's receipt: an EdDSA JWT over its entry and the draw's commitment —
 * proof the entry was accepted before anything was drawn — and, once the entries are
 * sealed at close, where it sits in the Merkle tree with the path to the root.
 * Owns no table: reads the entry, the `fairness` row and the tree.
 */
import { isoSeconds } from "../../lib/time";
import { signToken } from "../../lib/tokens";
import type { MerkleStore } from "./merkle-store";
import type { DrawState } from "./object";
import type { DrawEntry, Fairness } from "./store";

/** Long enough to outlive any dispute about the draw. */
const RECEIPT_LIFETIME_SECONDS = 10 * 365 * 86_400;

export async function receiptOf(
	signingKey: string,
	t: { id: string; organizationId: string },
	f: Fairness,
	e: DrawEntry,
	tree: MerkleStore,
): Promise<DrawState["receipt"]> {
	const signature = await signToken(signingKey, {
		sub: e.consumer_id,
		org: t.organizationId,
		typ: "receipt",
		dist: t.id,
		entry: e.entry_id,
		commitment: f.commitment,
		iat: Math.floor(e.entered_at / 1000),
		exp: Math.floor(e.entered_at / 1000) + RECEIPT_LIFETIME_SECONDS,
	});
	const receipt: DrawState["receipt"] = {
		entryId: e.entry_id,
		enteredAt: isoSeconds(e.entered_at),
		commitment: f.commitment,
		signature,
	};
	if (e.leaf != null && f.merkle_root) {
		Object.assign(receipt, {
			leafIndex: e.leaf,
			merkleRoot: f.merkle_root,
			inclusionProof: tree.inclusionProof(e.leaf),
		});
	}
	return receipt;
}
