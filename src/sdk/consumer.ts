/**
 * The browser-side client of the consumer API (`/consumer/v1`): guest sessions or a
 * merchant-issued access token, queues (with the position ticket kept and sent back, and
 * live updates), draws, auctions and the checkout redirect. Only the publishable key
 * (`pk_live_…`) belongs in a browser — never a secret key.
 */
import { fromBase64url } from "./encoding.js";
import { type RequestOptions, Transport, type TransportOptions } from "./http.js";
import { globalWebSocket, subscribe, type WatchOptions, type WebSocketFactory } from "./live.js";
import type {
	AccessToken,
	AuctionLiveMessage,
	AuctionPublicState,
	BidderState,
	BidParams,
	DrawEntryState,
	DrawProof,
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
	/**
	 * Keeps the access token and queue tickets across page loads (e.g. `window.sessionStorage`), so a
	 * reload keeps the shopper's place. Default: memory only.
	 */
	storage?: StorageLike;
	/** How to open WebSockets (default: the global `WebSocket`; `null` → always poll). */
	webSocket?: WebSocketFactory | null;
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
	enter(queueId: string, options?: RequestOptions): Promise<QueueEntryState>;
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

export interface ConsumerDraws {
	enter(drawId: string, options?: RequestOptions): Promise<DrawEntryState>;
	status(drawId: string, options?: RequestOptions): Promise<DrawEntryState>;
	leave(drawId: string, options?: RequestOptions): Promise<DrawEntryState>;
	/** The public fairness proof (commitment, then Merkle root, then seed and winners). */
	proof(drawId: string, options?: RequestOptions): Promise<DrawProof>;
}

export interface ConsumerAuctions {
	/** Public state: current price, minimum next bid, reserve met, buy-now price, close time. */
	get(auctionId: string, options?: RequestOptions): Promise<AuctionPublicState>;
	/** Places a bid (optionally with a proxy `maxAmount`); retried safely under one idempotency key. */
	bid(auctionId: string, params: BidParams, options?: RequestOptions): Promise<BidderState>;
	buyNow(auctionId: string, options?: RequestOptions): Promise<BidderState>;
	status(auctionId: string, options?: RequestOptions): Promise<BidderState>;
	/** Live `price`, `extended` and `settled` messages; polls `get` as the fallback. Returns the unsubscribe function. */
	watch(auctionId: string, onMessage: (message: AuctionLiveMessage) => void, options?: WatchOptions): () => void;
	/** The hash-chained bid log, after settlement. */
	log(auctionId: string, options?: RequestOptions): Promise<Record<string, unknown>>;
}

const enc = encodeURIComponent;

export class FanfareConsumer {
	readonly auth: {
		/** Starts a guest session: a new consumer and its access token, which the client then uses. */
		guest(options?: RequestOptions): Promise<AccessToken>;
	};
	readonly queues: ConsumerQueues;
	readonly draws: ConsumerDraws;
	readonly auctions: ConsumerAuctions;
	readonly http: Transport;

	private token: string | null = null;
	private readonly storage: StorageLike;
	private readonly prefix: string;
	private readonly publishableKey: string;

	constructor(options: FanfareConsumerOptions) {
		if (!options?.publishableKey) throw new TypeError("FanfareConsumer: publishableKey is required");
		this.publishableKey = options.publishableKey;
		this.storage = options.storage ?? new MemoryStorage();
		this.prefix = `fanfare:${options.publishableKey.slice(-8)}:`;
		const t = new Transport(options, () => ({
			"X-Publishable-Key": this.publishableKey,
			...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
		}));
		this.http = t;

		const stored = this.storage.getItem(`${this.prefix}token`);
		const initial = options.accessToken ?? stored;
		if (initial && (options.accessToken || (peekJwt(initial).exp ?? 0) * 1000 > Date.now())) {
			this.setAccessToken(initial);
		}
		const webSocket = options.webSocket === undefined ? globalWebSocket() : (options.webSocket ?? undefined);

		const get = <R>(path: string, o?: RequestOptions, headers?: Record<string, string>) =>
			t.request<R>({ method: "GET", path, headers }, o);
		const post = <R>(path: string, body?: unknown, o?: RequestOptions, headers?: Record<string, string>) =>
			t.request<R>({ method: "POST", path, body, headers }, o);

		this.auth = {
			guest: async (o) => {
				const token = await post<AccessToken>("/consumer/v1/auth/guest", undefined, o);
				this.setAccessToken(token.accessToken);
				return token;
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
			enter: async (id, o) => keep(id, await post<QueueEntryState>(`${q(id)}/enter`, undefined, o)),
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

		const d = (id: string) => `/consumer/v1/draws/${enc(id)}`;
		this.draws = {
			enter: (id, o) => post<DrawEntryState>(`${d(id)}/enter`, undefined, o),
			status: (id, o) => get<DrawEntryState>(`${d(id)}/status`, o),
			leave: (id, o) => post<DrawEntryState>(`${d(id)}/leave`, undefined, o),
			proof: (id, o) => get<DrawProof>(`${d(id)}/proof`, o),
		};

		const a = (id: string) => `/consumer/v1/auctions/${enc(id)}`;
		this.auctions = {
			get: (id, o) => get<AuctionPublicState>(a(id), o),
			bid: (id, params, o) => post<BidderState>(`${a(id)}/bids`, params, o),
			buyNow: (id, o) => post<BidderState>(`${a(id)}/buy-now`, undefined, o),
			status: (id, o) => get<BidderState>(`${a(id)}/status`, o),
			watch: (id, onMessage, opts = {}) =>
				subscribe<AuctionLiveMessage>({
					url: () => t.url(`${a(id)}/live`, { key: this.publishableKey, token: this.token }),
					webSocket,
					poll: async () => ({ type: "price" as const, ...(await this.auctions.get(id)) }),
					onMessage,
					options: opts,
					backoffBaseMs: options.backoffBaseMs,
				}),
			log: (id, o) => get<Record<string, unknown>>(`${a(id)}/log`, o),
		};
	}

	/** The access token in use, or null. */
	get accessToken(): string | null {
		return this.token;
	}

	/** The consumer id of the access token in use, or null. */
	get consumerId(): string | null {
		return this.token ? (peekJwt(this.token).sub ?? null) : null;
	}

	/**
	 * Uses a consumer access token — one your server issued for its logged-in shopper
	 * (`consumers.createToken`), or null to sign out. Switching to another consumer forgets the
	 * previous one's queue tickets.
	 */
	setAccessToken(token: string | null): void {
		const before = this.consumerId;
		this.token = token;
		if (token) this.storage.setItem(`${this.prefix}token`, token);
		else this.storage.removeItem(`${this.prefix}token`);
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
	 * or a draw / auction winner): open it and the server answers 302 to the merchant's checkout.
	 */
	checkoutUrl(distributionId: string): string {
		if (!this.token) throw new TypeError("checkoutUrl needs an access token (auth.guest() or setAccessToken)");
		return this.http.url(`/consumer/v1/checkout/${enc(distributionId)}`, {
			key: this.publishableKey,
			token: this.token,
		});
	}
}
