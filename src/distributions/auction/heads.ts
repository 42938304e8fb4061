/**
 * Signed heads of an auction's log: `{seq, headHash}` as an EdDSA JWT (`typ: "auction-head"`,
 * `sub` and `dist` the auction, `seq`, `head`), verifiable with /.well-known/jwks.json. Every bid
 * answer, public state and live `price` message carries the current one, so a bidder holds proof of
 * the chain it saw; a later log that does not contain that hash at that seq is provably rewritten
 * (src/sdk/auction-log.ts checks it).
 * Owns no table and no schedule kind: the last signed head is kept in memory only. The token is
 * deterministic (Ed25519 signs deterministically, and `iat` is the head entry's time), so re-signing
 * after an eviction gives the very same token.
 */
import { signToken } from "../../lib/tokens";

export interface SignedHead {
	seq: number;
	headHash: string;
	token: string;
}

/** What a head claims does not expire; a JWT needs an `exp`, so it is set far out (ten years). */
const HEAD_LIFETIME_SECONDS = 10 * 365 * 86_400;

export class HeadSigner {
	/** The last head signed, and which head it was (`seq:hash`: public data, compared as a plain key). */
	private last: SignedHead | null = null;
	private lastKey = "";

	constructor(
		/** The JWT_SIGNING_KEY value (the keyring) it signs with. */
		readonly signingKey: string,
		private readonly organizationId: string,
		private readonly auctionId: string,
	) {}

	/** The signed form of `head` (null: the log is empty, there is no head), reusing the last signature when it is the same head. */
	async sign(head: { seq: number; hash: string; placedAt: number } | null): Promise<SignedHead | null> {
		if (!head) return null;
		const key = `${head.seq}:${head.hash}`;
		if (this.last && this.lastKey === key) return this.last;
		const iat = Math.floor(head.placedAt / 1000);
		const token = await signToken(this.signingKey, {
			sub: this.auctionId,
			org: this.organizationId,
			typ: "auction-head",
			dist: this.auctionId,
			seq: head.seq,
			head: head.hash,
			iat,
			exp: iat + HEAD_LIFETIME_SECONDS,
		});
		const signed = { seq: head.seq, headHash: head.hash, token };
		// Only ever forward: a slower signature of an older head never replaces a newer one.
		if (!this.last || this.last.seq <= head.seq) {
			this.last = signed;
			this.lastKey = key;
		}
		return signed;
	}
}
