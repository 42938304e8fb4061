/**
 * AuctionObject — one auction (extends DistributionObject: timeline, agenda, status sync,
 * outbox, grant holds). It declares no schedule kinds of its own: the timeline's close and
 * settle are all it waits for.
 *
 * Tables (migration list "auction", store.ts): `log` (every accepted bid, proxy step, buy-now and time
 * change after the first bid, hash-chained from a genesis that commits to the rules and times; explicit
 * bids as salted commitments to their maxima), `state` (the bidding state, times in force and soft-close
 * bookkeeping, frozen rules, the genesis and its secret reserve salt, settlement), `bid_keys` (idempotency keys).
 * Bids (bidding.ts, one grouped transaction each) run the pure rules of rules.ts, frozen at the first bid —
 * money and soft close (the API refuses changes then; `state` keeps them, so not even a change racing that
 * bid applies); that bid also fixes the genesis.
 * A leader-changing bid inside the soft-close window extends closeAt in the same transaction that accepts it,
 * and a merchant's time change after the first bid is logged in configure's: the log replays the times.
 * SETTLED (at settleAt, or at once on buy-now) names the winner if the reserve is met and issues its grant.
 * Prices and results are pushed to hibernatable WebSockets; every bid answer, public state and `price`
 * message carries the signed head (heads.ts); what each audience sees is views.ts (maxima sealed until settled).
 */
import { newId } from "../../lib/ids";
import { fromMinor } from "../../lib/money";
import { fromHex } from "../../lib/sha256";
import { isoSeconds } from "../../lib/time";
import { ok, refuse } from "../common/reply";
import { EntryTickets, resolveWho, type Who } from "../common/tickets";
import type { GrantOrder, GrantState } from "../kernel/grants";
import { acceptLive, addressTags, broadcast, isUpgrade, overLiveCap } from "../kernel/live";
import { migrate } from "../kernel/migrations";
import { DistributionObject } from "../kernel/object";
import { type AuctionReply, applyBid, type BiddingHost, type BidKey, type Decide } from "./bidding";
import { movedTimes, rulesIn, timesEntry } from "./chain";
import { HeadSigner, type SignedHead } from "./heads";
import { type AuctionRules, buyNow, placeBid, settle } from "./rules";
import { AUCTION_MIGRATIONS, AuctionStore, type Chain, type Head, type AuctionStore as Store } from "./store";
import { bidderView, keyedChain, merchantBidView, outcomeView, pseudonymizer, publicView, publishedLog } from "./views";

export type { AuctionError, AuctionReply } from "./bidding";
export type { BidderStatus } from "./rules";

const DEFAULT_CLAIM_WINDOW_SECONDS = 86_400;

/** A bidder's view (views.ts), with the winner's grant while it is live. */
type BidderState = Record<string, unknown>;

export class AuctionObject extends DistributionObject {
	private store!: Store;
	private pseudonymKey: ((id: string) => string) | null = null;
	private signer: HeadSigner | null = null;
	private readonly tickets = new EntryTickets();
	private readonly bidding: BiddingHost = {
		store: () => this.store,
		appSecret: this.env.APP_SECRET,
		timeline: () => this.timeline(),
		rules: () => this.rules(),
		pseudonym: (consumerId, chain) => this.pseudonym(consumerId, chain),
		emit: (type, data, now) => this.emit(type, data, now),
		moveTimes: (times) => this.moveTimes(times),
		recordTransition: (status, now) => this.recordTransition(status, now),
		complete: (now) => this.complete(now),
		broadcast: (message) => broadcast(this.ctx, message),
	};

	protected override onMigrate(): void {
		migrate(this.sql, "auction", AUCTION_MIGRATIONS);
		this.store = new AuctionStore(this.sql);
	}

	/** A rolled-back first bid takes its chain's pseudonym key with it: the next first bid draws its own. */
	protected override onStorageReset(): void {
		this.store.forget();
		this.pseudonymKey = null;
	}

	/**
	 * A merchant's new times replace the soft-close baseline (extensions restart from them); after the
	 * first bid (until settled) they are also a "times" entry of the log, in configure's transaction.
	 */
	protected override onConfigure(now: number): void {
		const t = this.timeline();
		const st = this.store.load();
		// A settled auction's times are history: nothing to move, nothing to log.
		if (!t || st.settlement) return;
		const times = movedTimes(st, t);
		if (!times) return;
		if (st.chain) this.store.append(st.chain.hash, [timesEntry(times, "merchant")], now);
		this.store.save({ ...st, times, originalCloseAt: t.closeAt, originalSettleAt: t.settleAt, extendedMs: 0 });
	}

	/**
	 * Everything a bidder may see: price, next minimum, reserve met (not its amount), buy-now while
	 * available, and the signed head of the log. Reads only.
	 */
	async publicState(organizationId: string) {
		await this.caughtUp(() => null);
		return this.priceNow(organizationId);
	}

	/** The public state and the head it goes with (read together), the head signed. */
	private async priceNow(organizationId: string) {
		const t = this.timelineOf(organizationId);
		if (!t) return null;
		const head = this.store.head();
		const view = publicView(t, this.store.load(), this.rules(), Date.now());
		return { ...view, head: await this.signHead(head) };
	}

	/**
	 * Places a bid (amounts in minor units). Invariants: an accepted bid obeys the rules
	 * against the state it was placed on; an extension happens in the same transaction;
	 * a bid with an idempotency key is accepted at most once.
	 */
	async bid(organizationId: string, consumerId: string, amount: number, maxAmount: number | null, key: string | null) {
		// The log records the maximum as the rules read it, so a replay sees exactly this bid.
		const logMax = Math.max(amount, maxAmount ?? amount);
		return this.act(
			organizationId,
			consumerId,
			key ? { key, request: `bid|${amount}|${logMax}` } : null,
			logMax,
			(st, rules, seq) => placeBid(st.bidding, rules, { bidder: consumerId, amount, maxAmount: logMax, seq }),
		);
	}

	/** Wins at once at buyNowPrice while the price is below it. Invariant: as `bid` (idempotent per key). */
	async buyNow(organizationId: string, consumerId: string, key: string | null) {
		return this.act(organizationId, consumerId, key ? { key, request: "buy-now" } : null, null, (st, rules) =>
			buyNow(st.bidding, rules, consumerId),
		);
	}

	/**
	 * The bidder's standing, caught up to now; the winner's grant while it is live — by access
	 * token or by the ticket its state carries (`X-Auction-Ticket`). Reads only.
	 */
	async bidderState(organizationId: string, who: string | Who): Promise<AuctionReply<BidderState>> {
		const t = this.timelineOf(organizationId);
		if (!t) return refuse("not_found");
		const consumerId = typeof who === "string" ? who : await resolveWho(this.tickets, this.env.APP_SECRET, t, who);
		if (!consumerId) return refuse("bad_ticket");
		await this.caughtUp(() => null);
		return ok(await this.describe(consumerId));
	}

	/**
	 * The published log, at any time: pseudonymous, hash-chained from the genesis, amounts in minor units,
	 * with the signed head. Invariant: no maximum, salt or reserve before SETTLED (commitments only). Reads only.
	 */
	async log(organizationId: string): Promise<AuctionReply<unknown>> {
		await this.caughtUp(() => null);
		const t = this.timelineOf(organizationId);
		if (!t) return refuse("not_found");
		const st = this.store.load();
		const entries = this.store.entries(0, Number.MAX_SAFE_INTEGER);
		const head = await this.signHead(this.store.head());
		return ok(publishedLog(t, st, this.rules(), entries, head, Date.now(), (id) => this.pseudonym(id)));
	}

	/** Merchant view: every bid and proxy step with the real consumer id, newest first; maxima sealed until settled. Reads only. */
	async bids(limit: number, beforeSeq: number | null) {
		const settled = await this.caughtUp(() => this.store.load().settlement != null);
		return this.store.entries(beforeSeq ?? Number.MAX_SAFE_INTEGER, limit, true).map(merchantBidView(settled));
	}

	override participantCount(): number {
		return this.store.nextSeq() - 1;
	}

	/** The final price of a won auction, for checking the merchant's order against it. Reads only. */
	finalPrice(): number | null {
		return this.store.load().settlement?.price ?? null;
	}

	/** Once settled: who won (or null) at what price, and whether the reserve was met; null before. Reads only. */
	async outcome(): Promise<{ winnerConsumerId: string | null; finalPrice: number | null; reserveMet: boolean } | null> {
		return this.caughtUp(() => this.outcomeNow());
	}

	private outcomeNow() {
		return outcomeView(this.store.load().settlement);
	}

	// ── kernel hooks ───────────────────────────────────────────────────────

	protected override onStatusEvent(status: string): Record<string, unknown> {
		return status === "SETTLED" ? (this.outcomeNow() ?? {}) : {};
	}

	protected override onGrantLookup(consumerId: string): GrantState | null {
		const s = this.store.load().settlement;
		if (!s || s.winner !== consumerId || !s.grantId || s.claimBy == null) return null;
		return {
			grantId: s.grantId,
			issuedAt: s.settledAt,
			expiresAt: s.claimBy,
			state: s.claimedAt == null ? "live" : "used",
		};
	}

	/** The winner paid. */
	protected override onGrantUsed(consumerId: string, order: GrantOrder, now: number): void {
		const st = this.store.load();
		if (st.settlement) this.store.save({ ...st, settlement: { ...st.settlement, claimedAt: now } });
		this.emit("auction.consumer.completed", { consumerId, ...order }, now);
	}

	/** SETTLED: the leader wins if the reserve is met, with a grant for the claim window. Runs once: SETTLED is recorded once. */
	protected override onTransition(status: string, now: number): void {
		if (status !== "SETTLED") return;
		const st = this.store.load();
		if (st.settlement) return;
		const claimWindowMs = (this.timeline()?.claimWindowSeconds ?? DEFAULT_CLAIM_WINDOW_SECONDS) * 1000;
		st.settlement = settle(st.bidding, this.rules(), now, claimWindowMs, () => newId("adm"));
		const { winner, reserveMet } = st.settlement;
		this.store.save(st);
		if (winner) this.emit("auction.consumer.won", { consumerId: winner, price: fromMinor(st.bidding.price) }, now);
		broadcast(this.ctx, {
			type: "settled",
			finalPrice: winner ? fromMinor(st.bidding.price) : null,
			reserveMet,
			winner: winner ? this.pseudonym(winner) : null,
		});
	}

	/**
	 * Extensions and a buy-now's close are written through to D1 (updatedAt too: the resource
	 * changed), so admin reads and lists show the closeAt bidders see.
	 */
	protected override async onAdvanced(): Promise<void> {
		const st = this.store.load();
		const t = this.timeline();
		if (!st.timesDirty || !t) return;
		await this.env.DB.prepare(
			"UPDATE distributions SET close_at = ?, settle_at = ?, updated_at = ? WHERE id = ? AND organization_id = ?",
		)
			.bind(t.closeAt, t.settleAt, Date.now(), t.id, t.organizationId)
			.run();
		this.store.save({ ...this.store.load(), timesDirty: false });
	}

	// ── live prices ────────────────────────────────────────────────────────

	override async fetch(request: Request): Promise<Response> {
		if (!isUpgrade(request)) return new Response("Expected a WebSocket upgrade", { status: 426 });
		const state = await this.publicState(request.headers.get("X-Organization-Id") ?? "");
		if (!state) return new Response("Auction not found", { status: 404 });
		const consumerId = request.headers.get("X-Consumer-Id");
		const refused = overLiveCap(this.ctx, request, consumerId);
		if (refused) return refused;
		return acceptLive(this.ctx, consumerId ?? "anonymous", { type: "price", ...state }, addressTags(request));
	}

	/**
	 * `ping` is answered with `pong`; any other frame is dropped without work or reply. Prices are
	 * pushed at every change, so a frame never needs to ask for one — and a junk frame must not buy
	 * a full state from the auction's one object.
	 */
	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		if (message === "ping") ws.send("pong");
	}

	// ── bidding ────────────────────────────────────────────────────────────

	/** Runs `decide` as one grouped change (bidding.ts), then answers with the bidder's state and the signed head. */
	private async act(
		organizationId: string,
		consumerId: string,
		key: BidKey | null,
		logMax: number | null,
		decide: Decide,
	): Promise<AuctionReply<BidderState>> {
		const t0 = this.timelineOf(organizationId);
		if (!t0) return refuse("not_found");
		const reply = await this.grouped((now) =>
			applyBid(this.bidding, this.timeline() ?? t0, consumerId, key, logMax, decide, now),
		);
		await this.onAdvanced();
		if ("replay" in reply) return { ok: true, value: await this.describe(consumerId), replayed: true };
		if (reply.ok) {
			// The answer carries the head right after this bid (and what it extended); later messages, later heads.
			const head = await this.signHead(reply.value);
			const price = await this.priceNow(organizationId);
			if (price) broadcast(this.ctx, { type: "price", ...price });
			return ok({ ...(await this.describe(consumerId)), head });
		}
		return reply;
	}

	// ── plumbing ───────────────────────────────────────────────────────────

	private rules(): AuctionRules {
		return rulesIn(this.store.load(), this.timeline());
	}

	/** The head signed (by the deployment's key, for this auction); null while the log is empty. */
	private signHead(head: Head | null): Promise<SignedHead | null> {
		const t = this.timeline();
		if (!t || !head) return Promise.resolve(null);
		// A new keyring (a rotation) signs from then on: the last head is signed again, by the active key.
		if (this.signer?.signingKey !== this.env.JWT_SIGNING_KEY) {
			this.signer = new HeadSigner(this.env.JWT_SIGNING_KEY, t.organizationId, t.id);
		}
		return this.signer.sign(head);
	}

	/** A bidder's name in the log, under the chain's own key (`chain` while the first bid's state is not saved yet). */
	private pseudonym(consumerId: string, chain?: Chain): string {
		if (!this.pseudonymKey) {
			const st = chain ? null : this.store.load();
			const c = chain ?? st?.chain;
			if (!c) throw new Error("auction: no bidder has a pseudonym before the first bid");
			// A chain from before auctions drew their own key gets it now, kept from then on (saved here or with the bid).
			const keyed = keyedChain(c, this.env.APP_SECRET, this.timeline());
			if (keyed !== c && st) this.store.save({ ...st, chain: keyed });
			this.pseudonymKey = pseudonymizer(fromHex(keyed.pseudonymKey ?? ""));
		}
		return this.pseudonymKey(consumerId);
	}

	private async describe(consumerId: string): Promise<BidderState> {
		const st = this.store.load();
		const head = this.store.head();
		const state = bidderView(st, this.rules(), consumerId, this.store.ownMax(consumerId));
		state.head = await this.signHead(head);
		const t = this.timeline();
		if (t) state.ticket = await this.tickets.seal(this.env.APP_SECRET, t, { consumerId, seq: null });
		const grant = this.onGrantLookup(consumerId);
		// A win past its claim window shows no token, though only an order's check says "expired".
		const live = await this.liveGrant(consumerId, grant && grant.expiresAt > Date.now() ? grant : null);
		if (live) {
			state.finalPrice = fromMinor(st.settlement?.price ?? 0);
			state.admissionToken = live.token;
			state.claimBy = isoSeconds(live.expiresAt);
		}
		return state;
	}
}
