/**
 * The published auction log, `fanfare-edge/auction-v2`: its exact bytes, and the checks any
 * bidder can run on it with WebCrypto alone (browsers, Node ≥ 20, Workers). The server hashes the
 * same strings (src/distributions/auction/log.ts imports them from here), so there is one
 * definition of the format.
 *
 * - genesis = SHA-256(genesisText(statement)): the algorithm, the auction id, its rules (the reserve as
 *   a salted commitment) and its times, fixed at the first bid. The first entry chains to it.
 * - every entry: hash = SHA-256(prevHash ‖ "|" ‖ JSON [seq, kind, placedAt, bidder, amount,
 *   commitment, closeAt, settleAt, cause]); kinds "bid", "proxy", "buy_now", and "times" (closeAt /
 *   settleAt moved after the first bid, by the merchant or by a soft-close extension).
 * - an explicit bid carries commitment = SHA-256(maxAmount ‖ "|" ‖ salt), its salt a secret 256-bit
 *   random value per bid; maxAmount and salt are revealed once SETTLED. The chain covers the
 *   commitment, so a head signed while the auction ran stays valid after the reveal.
 * - a head {seq, headHash} is signed as an EdDSA JWT (`typ: "auction-head"`, keys at
 *   /.well-known/jwks.json). A held head whose seq has another hash in the published log proves the
 *   history was rewritten after that bidder saw it.
 * What this module does not do: replay the bidding rules (`npm run verify:auction` does, from the
 * server's rules.ts), so its report says the chain, the commitments and the heads hold.
 */
import { fromBase64url, utf8 } from "./encoding.js";

export const AUCTION_ALGORITHM = "fanfare-edge/auction-v2";

/** GET /.well-known/jwks.json (the same shape as admission.ts's `Jwks`). */
export interface Jwks {
	keys: { kty: string; crv?: string; x?: string; kid?: string }[];
}

/** The rules as the genesis states them: money in minor units, the reserve committed, not shown. */
export interface AuctionGenesisRules {
	startingBid: number;
	minimumIncrement: number;
	/** SHA-256(reservePrice or "none" ‖ "|" ‖ reserveSalt), revealed at settlement. */
	reserveCommitment: string;
	buyNowPrice: number | null;
	softCloseSeconds: number | null;
	maxExtensionSeconds: number | null;
}

/** What the chain's first link commits to. Times are epoch milliseconds. */
export interface AuctionGenesis {
	algorithm: string;
	auctionId: string;
	rules: AuctionGenesisRules;
	openAt: number;
	closeAt: number | null;
	settleAt: number | null;
}

export type AuctionLogKind = "bid" | "proxy" | "buy_now" | "times";

export interface AuctionLogEntry {
	seq: number;
	kind: AuctionLogKind;
	/** Epoch milliseconds. */
	placedAt: number;
	/** Pseudonym (null for "times"). */
	bidder: string | null;
	/** Minor units (null for "times"). */
	amount: number | null;
	/** Explicit bids: the commitment to the maximum; null otherwise. */
	commitment: string | null;
	/** "times": the new closeAt and settleAt, and who moved them. */
	closeAt: number | null;
	settleAt: number | null;
	cause: "merchant" | "soft_close" | null;
	prevHash: string;
	hash: string;
	/** Explicit bids, once SETTLED: the maximum and the salt its commitment was made with. */
	maxAmount?: number | null;
	salt?: string | null;
}

/** A signed head: the log had `seq` entries, the last with hash `headHash`. `token` is the EdDSA JWT saying so. */
export interface AuctionHead {
	seq: number;
	headHash: string;
	token: string;
}

export interface AuctionRulesRevealed {
	startingBid: number;
	minimumIncrement: number;
	reservePrice: number | null;
	buyNowPrice: number | null;
	softCloseSeconds?: number | null;
	maxExtensionSeconds?: number | null;
}

/** GET /consumer/v1/auctions/:id/log. The last group of fields appears once the auction is SETTLED. */
export interface PublishedAuctionLog {
	auctionId: string;
	algorithm: string;
	currency?: string;
	status?: string;
	/** Null until the first bid fixes it. */
	genesis: AuctionGenesis | null;
	genesisHash: string | null;
	/** The times in force as the chain says (after every "times" entry and a buy-now), epoch ms. */
	closeAt?: number | null;
	settleAt?: number | null;
	head?: AuctionHead | null;
	entries: AuctionLogEntry[];
	rules?: AuctionRulesRevealed;
	reserveSalt?: string | null;
	finalPrice?: number | null;
	winner?: string | null;
	reserveMet?: boolean;
}

export const genesisText = (g: AuctionGenesis): string =>
	JSON.stringify([
		g.algorithm,
		g.auctionId,
		g.rules.startingBid,
		g.rules.minimumIncrement,
		g.rules.reserveCommitment,
		g.rules.buyNowPrice,
		g.rules.softCloseSeconds,
		g.rules.maxExtensionSeconds,
		g.openAt,
		g.closeAt,
		g.settleAt,
	]);

export const entryText = (prevHash: string, e: Omit<AuctionLogEntry, "prevHash" | "hash">): string =>
	`${prevHash}|${JSON.stringify([e.seq, e.kind, e.placedAt, e.bidder, e.amount, e.commitment, e.closeAt, e.settleAt, e.cause])}`;

/** What a commitment hashes: a value in minor units (a maximum, or the reserve; null: no reserve) and its salt. */
export const commitmentText = (value: number | null, salt: string): string => `${value ?? "none"}|${salt}`;

function jsonPart<T>(part: string | undefined): T | null {
	const bytes = fromBase64url(part ?? "");
	if (!bytes) return null;
	try {
		return JSON.parse(new TextDecoder().decode(bytes)) as T;
	} catch {
		return null;
	}
}

/** The claims of a head token, read without checking its signature (`verifyHeadToken` checks it). */
export const headClaims = (token: string) =>
	jsonPart<{ iss?: string; dist?: string; seq?: number; head?: string; typ?: string }>(token.split(".")[1]);

/**
 * A head token checked against the deployment's JWKS (`GET /.well-known/jwks.json`): EdDSA over
 * Ed25519, `typ` "auction-head", the key named by `kid`. Resolves to its {auctionId, seq, headHash},
 * or null if the signature or the claims do not hold.
 */
export async function verifyHeadToken(
	token: string,
	jwks: Jwks,
): Promise<{ auctionId: string; seq: number; headHash: string } | null> {
	const [h, b, s] = token.split(".");
	const header = jsonPart<{ alg?: string; kid?: string }>(h);
	const claims = headClaims(token);
	const signature = fromBase64url(s ?? "");
	const jwk = jwks.keys.find((k) => k.kid === header?.kid && k.kty === "OKP" && k.crv === "Ed25519");
	if (header?.alg !== "EdDSA" || !claims || !signature || !jwk?.x) return null;
	try {
		const key = await crypto.subtle.importKey(
			"jwk",
			{ kty: "OKP", crv: "Ed25519", x: jwk.x },
			{ name: "Ed25519" },
			false,
			["verify"],
		);
		if (!(await crypto.subtle.verify("Ed25519", key, signature, utf8.encode(`${h}.${b}`)))) return null;
	} catch {
		return null;
	}
	if (
		claims.iss !== "fanfare-edge" ||
		claims.typ !== "auction-head" ||
		typeof claims.dist !== "string" ||
		typeof claims.seq !== "number"
	)
		return null;
	if (typeof claims.head !== "string") return null;
	return { auctionId: claims.dist, seq: claims.seq, headHash: claims.head };
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
	let out = "";
	for (const byte of digest) out += byte.toString(16).padStart(2, "0");
	return out;
}

export interface AuctionLogReport {
	ok: boolean;
	problems: string[];
	/** Entries whose link was checked. */
	entries: number;
	/** Held heads checked against the chain (each with its signature, when a JWKS was given). */
	heads: number;
	/** Whether the maxima (and the reserve) were revealed and checked against their commitments. */
	revealed: boolean;
}

/**
 * Checks a published log: the genesis statement against its hash, every link of the chain, once
 * settled every revealed maximum (and the reserve) against its commitment, and that every held head
 * lies on the chain. With `jwks`, a head counts only if its signature verifies (a forged head proves
 * nothing); without it, the heads' claims are taken as read.
 */
export async function checkAuctionLog(
	log: PublishedAuctionLog,
	options: { heads?: (AuctionHead | string)[]; jwks?: Jwks } = {},
): Promise<AuctionLogReport> {
	const problems: string[] = [];
	if (log.algorithm !== AUCTION_ALGORITHM) problems.push(`unknown algorithm ${log.algorithm}`);
	let prev = log.genesisHash ?? "";
	if (!log.genesis) {
		if (log.entries.length) problems.push("entries without a genesis");
	} else {
		if (log.genesis.algorithm !== AUCTION_ALGORITHM || log.genesis.auctionId !== log.auctionId)
			problems.push("the genesis names another algorithm or auction");
		if ((await sha256Hex(genesisText(log.genesis))) !== log.genesisHash)
			problems.push("genesisHash does not match the genesis statement");
	}
	for (const [i, e] of log.entries.entries()) {
		if (e.seq !== i + 1) problems.push(`entry ${i}: seq ${e.seq}, expected ${i + 1}`);
		if (e.prevHash !== prev) problems.push(`seq ${e.seq}: prevHash does not link to the entry before`);
		if ((await sha256Hex(entryText(e.prevHash, e))) !== e.hash) problems.push(`seq ${e.seq}: hash does not match`);
		prev = e.hash;
	}
	const revealed = log.rules != null;
	if (revealed && log.genesis && log.rules) {
		const r = log.rules;
		const reserve = await sha256Hex(commitmentText(r.reservePrice, log.reserveSalt ?? ""));
		if (reserve !== log.genesis.rules.reserveCommitment)
			problems.push("the revealed reserve does not match its commitment");
		for (const f of [
			"startingBid",
			"minimumIncrement",
			"buyNowPrice",
			"softCloseSeconds",
			"maxExtensionSeconds",
		] as const) {
			if ((r[f] ?? null) !== log.genesis.rules[f]) problems.push(`rules.${f} differs from the genesis`);
		}
		for (const e of log.entries) {
			if (e.kind !== "bid") continue;
			if (e.maxAmount == null || e.salt == null) problems.push(`seq ${e.seq}: maximum not revealed`);
			else if ((await sha256Hex(commitmentText(e.maxAmount, e.salt))) !== e.commitment)
				problems.push(`seq ${e.seq}: the revealed maximum does not match its commitment`);
		}
	}
	let heads = 0;
	for (const held of [...(options.heads ?? []), ...(log.head ? [log.head] : [])]) {
		const token = typeof held === "string" ? held : held.token;
		const claims = options.jwks ? await verifyHeadToken(token, options.jwks) : headOf(token);
		if (!claims) {
			problems.push(`a head token whose signature does not verify: ${token.slice(0, 24)}…`);
			continue;
		}
		heads++;
		const problem = headProblem(log, claims);
		if (problem) problems.push(problem);
	}
	return { ok: problems.length === 0, problems, entries: log.entries.length, heads, revealed };
}

/** What a head token claims ({auctionId, seq, headHash}), its signature not checked; null if it is no head token. */
export function headOf(token: string): { auctionId: string; seq: number; headHash: string } | null {
	const c = headClaims(token);
	return c && typeof c.dist === "string" && typeof c.seq === "number" && typeof c.head === "string"
		? { auctionId: c.dist, seq: c.seq, headHash: c.head }
		: null;
}

/** Why a head is not on the published chain, or null if it is: entry `seq` must exist and have exactly that hash. */
export function headProblem(
	log: Pick<PublishedAuctionLog, "auctionId" | "entries">,
	head: { auctionId?: string; seq: number; headHash: string },
): string | null {
	if (head.auctionId != null && head.auctionId !== log.auctionId)
		return `a head of another auction (${head.auctionId})`;
	const entry = log.entries[head.seq - 1];
	if (!entry || entry.seq !== head.seq)
		return `signed head seq ${head.seq} is missing from the published log (history cut)`;
	if (entry.hash !== head.headHash)
		return `signed head seq ${head.seq} (${head.headHash.slice(0, 12)}…) is not on the published chain (${entry.hash.slice(0, 12)}…): the history was rewritten`;
	return null;
}
