/**
 * The browser-side client of the consumer API (`/consumer/v1`): guest sessions or a
 * merchant-issued access token, queues (with the position ticket kept and sent back, and
 * live updates), draws, auctions and the checkout redirect. Only the publishable key
 * (`pk_live_…`) belongs in a browser — never a secret key.
 */

import { type EnterOptions, enterArgs } from "./access.js";
import type { Jwks } from "./admission.js";
import { type AuctionHead, type AuctionLogReport, checkAuctionLog, type PublishedAuctionLog } from "./auction-log.js";
import {
	type ChallengeSolver,
	type ChallengeSolvers,
	defaultSolver,
	type TurnstileTokenSource,
	withChallenge,
} from "./challenges.js";
import { type ConsumerDraws, drawsClient } from "./draws.js";
import { fromBase64url } from "./encoding.js";
import { FanfareError } from "./errors.js";
import { type RequestOptions, Transport, type TransportOptions } from "./http.js";
import { globalWebSocket, subscribe, type WatchOptions, type WebSocketFactory } from "./live.js";
import type {
	AuctionLiveMessage,
	AuctionPublicState,
	BidderState,
	BidParams,
	ConsumerSession,
	QueueEntryState,
	QueueLiveMessage,
} from "./types.js";

/** `localStorage` / `sessionStorage`, or anything with the same three methods. */
export interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
}

export interface FanfareConsumerOptions extends TransportOptions {
	/** The merchant's publishable key `pk_live_…`. */
	publishableKey: string;
	/** A consumer access token to start with (e.g. one your server got from `consumers.createToken`). */
	accessToken?: string;
	/** The refresh token that came with it: the client then renews the access token on its own when it expires. */
	refreshToken?: string;
	/**
	 * Keeps the session (access and refresh token) and queue tickets across page loads (e.g.
	 * `window.localStorage`), so a reload keeps the shopper signed in and in place. Default: memory only.
	 */
	storage?: StorageLike;
	/** How to open WebSockets (default: the global `WebSocket`; `null` → always poll). */
	webSocket?: WebSocketFactory | null;
	/**
	 * Solves proof-of-work challenges when a launch asks for them (default: a Web Worker in browsers,
	 * in-process elsewhere). The client asks for, solves and sends challenges on its own.
	 */
	solveChallenge?: ChallengeSolver;
	/**
	 * For launches protected by Cloudflare Turnstile: called with the organization's site key and the
	 * action when a call needs a token; render the widget, resolve to its token (each works once).
	 * Without it, a Turnstile launch's refusal reaches the caller as a FanfareError.
	 */
	turnstileToken?: TurnstileTokenSource;
}

class MemoryStorage implements StorageLike {
	private readonly map = new Map<string, string>();
	getItem(key: string) {
		return this.map.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		this.map.set(key, value);
	}
	removeItem(key: string) {
		this.map.delete(key);
	}
	get length() {
		return this.map.size;
	}
	key(index: number) {
		return [...this.map.keys()][index] ?? null;
	}
}

/** The `sub` and `exp` of a JWT, read without verification (the server verifies it). */
function peekJwt(token: string): { sub?: string; exp?: number } {
	const body = fromBase64url(token.split(".")[1] ?? "");
	if (!body) return {};
	try {
		return JSON.parse(new TextDecoder().decode(body)) ?? {};
	} catch {
		return {};
	}
}

export interface ConsumerQueues {
	/** Enters the queue (entering again returns the same place); the position ticket is kept. */
	enter(queueId: string, options?: EnterOptions): Promise<QueueEntryState>;
	/** Status, place and wait; sends the kept ticket (`X-Queue-Ticket`) so a waiting shopper is answered at the edge. */
	status(queueId: string, options?: RequestOptions): Promise<QueueEntryState>;
	/** Leaves the line (or gives up an admission); with an access token, the kept ticket is dropped. */
	leave(queueId: string, options?: RequestOptions): Promise<QueueEntryState>;
	/**
	 * Live updates (`status` on connect, `progress` as the line moves, `admitted` with the grant) over the
	 * queue's WebSocket, reconnecting with backoff; polls `status` when WebSockets are unavailable or keep
	 * failing. Returns the unsubscribe function.
	 */
	watch(queueId: string, onMessage: (message: QueueLiveMessage) => void, options?: WatchOptions): () => void;
	/** The position ticket kept for this queue, if any. */
	ticket(queueId: string): string | null;
	/** Keeps a ticket obtained elsewhere (e.g. rendered by your server): `status`, `leave` and `watch` then work with it alone. */
	setTicket(queueId: string, ticket: string | null): void;
}

export interface ConsumerAuctions {
	/** Public state: current price, minimum next bid, reserve met, buy-now price, close time. */
	get(auctionId: string, options?: RequestOptions): Promise<AuctionPublicState>;
	/** Places a bid (optionally with a proxy `maxAmount`); retried safely under one idempotency key. */
	bid(auctionId: string, params: BidParams, options?: RequestOptions): Promise<BidderState>;
	buyNow(auctionId: string, options?: EnterOptions): Promise<BidderState>;
	status(auctionId: string, options?: RequestOptions): Promise<BidderState>;
	/** Live `price`, `extended` and `settled` messages; polls `get` as the fallback. Returns the unsubscribe function. */
	watch(auctionId: string, onMessage: (message: AuctionLiveMessage) => void, options?: WatchOptions): () => void;
	/** The hash-chained log (readable at any time: commitments while it runs, maxima revealed once settled). */
	log(auctionId: string, options?: RequestOptions): Promise<PublishedAuctionLog>;
	/** The signed heads of the auction's log this client has seen (bid answers, states, live prices), oldest first; memory only. */
	heads(auctionId: string): AuctionHead[];
	/**
	 * Fetches the log and the JWKS and checks the genesis, every link, the revealed maxima against their
	 * commitments (once settled), and that every head held (`heads(id)`, plus `options.heads`) is signed
	 * by the deployment and lies on the published chain — a rewritten history fails. Replaying the bids
	 * against the rules is `npm run verify:auction`'s part.
	 */
	verify(auctionId: string, options?: RequestOptions & { heads?: (AuctionHead | string)[] }): Promise<AuctionLogReport>;
}

const enc = encodeURIComponent;

export class FanfareConsumer {
	readonly auth: {
		/**
		 * Starts a guest session: a new consumer, its access and refresh tokens, which the client then uses.
		 * With `distributionId`, the sign-up is for that queue, draw or auction, and its challenge (if any) is answered first.
		 */
		guest(options?: RequestOptions & { distributionId?: string }): Promise<ConsumerSession>;
		/**
		 * Exchanges the refresh token for a new pair now (the client also does it on its own, once,
		 * when a call is refused for an expired access token). A refused refresh signs out.
		 */
		refresh(options?: RequestOptions): Promise<ConsumerSession>;
		/** Revokes the session's refresh tokens on the server, then forgets the session (kept when the revoke failed). */
		signOut(options?: RequestOptions): Promise<void>;
	};
	readonly queues: ConsumerQueues;
	readonly draws: ConsumerDraws;
	readonly auctions: ConsumerAuctions;
	readonly http: Transport;

	private token: string | null = null;
	private refreshing: Promise<ConsumerSession> | null = null;
	private readonly storage: StorageLike;
	private readonly prefix: string;
	private readonly publishableKey: string;

	constructor(options: FanfareConsumerOptions) {
		if (!options?.publishableKey) throw new TypeError("FanfareConsumer: publishableKey is required");
		this.publishableKey = options.publishableKey;
		this.storage = options.storage ?? new MemoryStorage();
		this.prefix = `fanfare:${options.publishableKey.slice(-8)}:`;
		const t = new Transport(
			options,
			() => ({
				"X-Publishable-Key": this.publishableKey,
				...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
			}),
			() => this.renew(),
		);
		this.http = t;

		const stored = this.storage.getItem(`${this.prefix}token`);
		const initial = options.accessToken ?? stored;
		if (options.refreshToken) this.storage.setItem(`${this.prefix}refresh`, options.refreshToken);
		// An expired access token is kept when a refresh token can renew it: its first 401 renews the pair.
		const renewable = this.refreshToken !== null;
		if (initial && (options.accessToken || renewable || (peekJwt(initial).exp ?? 0) * 1000 > Date.now())) {
			this.setAccessToken(initial);
		}
		const solve: ChallengeSolvers = { pow: options.solveChallenge ?? defaultSolver, turnstile: options.turnstileToken };
		const webSocket = options.webSocket === undefined ? globalWebSocket() : (options.webSocket ?? undefined);

		const get = <R>(path: string, o?: RequestOptions, headers?: Record<string, string>) =>
			t.request<R>({ method: "GET", path, headers }, o);
		const post = <R>(path: string, body?: unknown, o?: RequestOptions, headers?: Record<string, string>) =>
			t.request<R>({ method: "POST", path, body, headers }, o);

		this.auth = {
			guest: async (o) => {
				const { distributionId, ...rest } = o ?? {};
				const session = distributionId
					? await withChallenge(t, solve, distributionId, "guest", rest, (r) =>
							post<ConsumerSession>("/consumer/v1/auth/guest", { distributionId }, r),
						)
					: await post<ConsumerSession>("/consumer/v1/auth/guest", undefined, rest);
				this.setSession(session);
				return session;
			},
			refresh: (o) => {
				// One exchange at a time: a refresh token works once, so two in flight would revoke the session.
				this.refreshing ??= this.exchange(o).finally(() => {
					this.refreshing = null;
				});
				return this.refreshing;
			},
			signOut: async (o) => {
				const refreshToken = this.refreshToken;
				if (refreshToken) {
					// Forgotten only once the server has revoked it (or no longer knows it): a revoke that
					// failed left the session live for 30 days with nothing here to revoke it with again.
					await t
						.request({ method: "POST", path: "/consumer/v1/auth/revoke", body: { refreshToken }, noRenew: true }, o)
						.catch((err: unknown) => {
							if (!(err instanceof FanfareError && err.status === 401)) throw err;
						});
				}
				this.setAccessToken(null);
			},
		};

		const q = (id: string) => `/consumer/v1/queues/${enc(id)}`;
		const ticketHeader = (id: string): Record<string, string> => {
			const ticket = this.ticket(id);
			return ticket ? { "X-Queue-Ticket": ticket } : {};
		};
		const keep = (id: string, state: QueueEntryState) => {
			if (state?.ticket) this.storage.setItem(`${this.prefix}ticket:${id}`, state.ticket);
			return state;
		};
		this.queues = {
			enter: async (id, o) => {
				const [body, rest] = enterArgs(o);
				// A back-of-line place (the challenge missing or failed): answered, entering again moves it to the front lane.
				const state = await withChallenge(
					t,
					solve,
					id,
					"enter",
					rest,
					(r) => post<QueueEntryState>(`${q(id)}/enter`, body, r),
					(s) => s.backOfLine === true,
				);
				return keep(id, state);
			},
			status: async (id, o) => keep(id, await get<QueueEntryState>(`${q(id)}/status`, o, ticketHeader(id))),
			leave: async (id, o) => {
				const state = await post<QueueEntryState>(`${q(id)}/leave`, undefined, o, ticketHeader(id));
				// A ticket only speeds up polls while waiting; after leaving, status comes from the queue itself.
				if (this.token) this.queues.setTicket(id, null);
				return state;
			},
			watch: (id, onMessage, opts = {}) =>
				subscribe<QueueLiveMessage>({
					url: () => {
						const ticket = this.ticket(id);
						const auth: Record<string, string> = this.token ? { token: this.token } : ticket ? { ticket } : {};
						return t.url(`${q(id)}/live`, { key: this.publishableKey, ...auth });
					},
					webSocket,
					poll: async () => ({ type: "status" as const, ...(await this.queues.status(id)) }),
					onMessage: (message) => {
						// A session-bound token's socket says "admitted" without the grant: status brings it, bound.
						if (message.type === "admitted" && !message.admissionToken && this.token) {
							this.queues
								.status(id)
								.then((state) => onMessage({ ...message, ...state, type: "admitted" }))
								.catch(() => onMessage(message));
							return;
						}
						if (message.type === "status" || message.type === "admitted") keep(id, message);
						onMessage(message);
					},
					options: opts,
					backoffBaseMs: options.backoffBaseMs,
				}),
			ticket: (id) => this.ticket(id),
			setTicket: (id, ticket) => {
				if (ticket) this.storage.setItem(`${this.prefix}ticket:${id}`, ticket);
				else this.storage.removeItem(`${this.prefix}ticket:${id}`);
			},
		};

		this.draws = drawsClient(t, this.storage, this.prefix, {
			solve,
			publishableKey: this.publishableKey,
			webSocket,
			backoffBaseMs: options.backoffBaseMs,
		});

		const a = (id: string) => `/consumer/v1/auctions/${enc(id)}`;
		// Every signed head seen, per auction: two for one seq with different hashes are kept both (that is proof too).
		const heads = new Map<string, Map<string, AuctionHead>>();
		const held = <S extends { head?: AuctionHead | null }>(id: string, state: S): S => {
			const head = state?.head;
			if (head?.token) {
				const seen = heads.get(id) ?? new Map<string, AuctionHead>();
				heads.set(id, seen);
				if (!seen.has(`${head.seq}:${head.headHash}`)) seen.set(`${head.seq}:${head.headHash}`, head);
			}
			return state;
		};
		this.auctions = {
			get: async (id, o) => held(id, await get<AuctionPublicState>(a(id), o)),
			bid: async (id, params, o) =>
				held(id, await withChallenge(t, solve, id, "bid", o, (r) => post<BidderState>(`${a(id)}/bids`, params, r))),
			buyNow: async (id, o) => {
				const [body, rest] = enterArgs(o);
				const state = await withChallenge(t, solve, id, "bid", rest, (r) =>
					post<BidderState>(`${a(id)}/buy-now`, body, r),
				);
				return held(id, state);
			},
			status: async (id, o) => held(id, await get<BidderState>(`${a(id)}/status`, o)),
			watch: (id, onMessage, opts = {}) =>
				subscribe<AuctionLiveMessage>({
					url: () => t.url(`${a(id)}/live`, { key: this.publishableKey, token: this.token }),
					webSocket,
					poll: async () => ({ type: "price" as const, ...(await this.auctions.get(id)) }),
					onMessage: (message) => onMessage(message.type === "price" ? held(id, message) : message),
					options: opts,
					backoffBaseMs: options.backoffBaseMs,
				}),
			log: (id, o) => get<PublishedAuctionLog>(`${a(id)}/log`, o),
			heads: (id) => [...(heads.get(id)?.values() ?? [])].sort((x, y) => x.seq - y.seq),
			verify: async (id, o) => {
				const [log, jwks] = await Promise.all([this.auctions.log(id, o), get<Jwks>("/.well-known/jwks.json", o)]);
				return checkAuctionLog(log, { heads: [...this.auctions.heads(id), ...(o?.heads ?? [])], jwks });
			},
		};
	}

	/** The access token in use, or null. */
	get accessToken(): string | null {
		return this.token;
	}

	/** The refresh token of the session, or null: persist it (the `storage` option does) to stay signed in. */
	get refreshToken(): string | null {
		return this.storage.getItem(`${this.prefix}refresh`);
	}

	/** Uses a session from `auth.guest()`, the refresh route, or your server's `consumers.createToken`. */
	setSession(session: { accessToken: string; refreshToken?: string | null }): void {
		this.setAccessToken(session.accessToken);
		if (session.refreshToken) this.storage.setItem(`${this.prefix}refresh`, session.refreshToken);
	}

	/** POST /consumer/v1/auth/refresh with the stored refresh token; a refusal forgets the session. */
	private async exchange(o?: RequestOptions): Promise<ConsumerSession> {
		const refreshToken = this.refreshToken;
		if (!refreshToken) throw new TypeError("auth.refresh needs a refresh token (auth.guest() or setSession)");
		try {
			const session = await this.http.request<ConsumerSession>(
				{ method: "POST", path: "/consumer/v1/auth/refresh", body: { refreshToken }, noRenew: true },
				o,
			);
			this.setSession(session);
			return session;
		} catch (err) {
			if ((err as { status?: number }).status === 401 && this.refreshToken === refreshToken) this.setAccessToken(null);
			throw err;
		}
	}

	/** The transport's 401 hook: renews the pair when there is a refresh token to renew with. */
	private async renew(): Promise<boolean> {
		if (!this.refreshToken) return false;
		try {
			await this.auth.refresh();
			return true;
		} catch {
			return false;
		}
	}

	/** The consumer id of the access token in use, or null. */
	get consumerId(): string | null {
		return this.token ? (peekJwt(this.token).sub ?? null) : null;
	}

	/**
	 * Uses a consumer access token — one your server issued for its logged-in shopper
	 * (`consumers.createToken`), or null to sign out (the refresh token is forgotten too). Switching
	 * to another consumer forgets the previous one's queue tickets and refresh token.
	 */
	setAccessToken(token: string | null): void {
		const before = this.consumerId;
		this.token = token;
		if (token) this.storage.setItem(`${this.prefix}token`, token);
		else this.storage.removeItem(`${this.prefix}token`);
		if (!token || (before && before !== this.consumerId)) this.storage.removeItem(`${this.prefix}refresh`);
		if (before && before !== this.consumerId) this.clearTickets();
	}

	private ticket(queueId: string): string | null {
		return this.storage.getItem(`${this.prefix}ticket:${queueId}`);
	}

	private clearTickets(): void {
		const s = this.storage as StorageLike & { length?: number; key?(i: number): string | null };
		// A custom storage without `length`/`key` cannot be enumerated: its tickets stay (the server rejects foreign ones).
		if (typeof s.length !== "number" || typeof s.key !== "function") return;
		const doomed: string[] = [];
		for (let i = 0; i < s.length; i++) {
			const key = s.key(i);
			if (key?.startsWith(`${this.prefix}ticket:`)) doomed.push(key);
		}
		for (const key of doomed) s.removeItem(key);
	}

	/**
	 * The checkout redirect for a distribution the shopper holds a live grant for (admitted,
	 * or a draw / auction winner — the `admissionToken` of that state or live message): open it
	 * and the server answers 302 to the merchant's checkout. The grant identifies the shopper;
	 * the access token is never put in the URL.
	 */
	checkoutUrl(distributionId: string, admissionToken: string): string {
		if (!admissionToken) throw new TypeError("checkoutUrl needs the grant (admissionToken) of the admission or win");
		return this.http.url(`/consumer/v1/checkout/${enc(distributionId)}`, {
			key: this.publishableKey,
			grant: admissionToken,
		});
	}
}
