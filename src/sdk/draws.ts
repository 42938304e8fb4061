/**
 * The consumer SDK's draws: enter, status, leave, the public proof and log — and `verify`, which
 * checks a draw with public material only (the proof, the public entry log, the JWKS) and the
 * receipts this client kept from its own entries, so an entrant needs no one's word for the result.
 */
import type {
	DrawVerification,
	HeldReceipt,
	DrawProof as ProofToVerify,
	PublishedLog,
} from "../distributions/draw/verify.js";
import { type EnterOptions, enterArgs } from "./access.js";
import { type Jwks, JwksCache } from "./admission.js";
import { type ChallengeSolvers, withChallenge } from "./challenges.js";
import type { RequestOptions, Transport } from "./http.js";
import { subscribe, type WatchOptions, type WebSocketFactory } from "./live.js";
import type { DrawEntryState, DrawLiveMessage, DrawProof } from "./types.js";

export type { DrawVerification, HeldReceipt, PublishedLog };

export interface ConsumerDraws {
	enter(drawId: string, options?: EnterOptions): Promise<DrawEntryState>;
	status(drawId: string, options?: RequestOptions): Promise<DrawEntryState>;
	leave(drawId: string, options?: RequestOptions): Promise<DrawEntryState>;
	/** The public proof: chain and R from creation, the log's head, the seal at close, the beacon and winners. */
	proof(drawId: string, options?: RequestOptions): Promise<DrawProof>;
	/** The public entry log (entry ids only), up to its head — the seal once closed. */
	log(drawId: string, options?: RequestOptions): Promise<PublishedLog>;
	/** The receipts this client was given for its entries in this draw (kept in its storage). */
	receipts(drawId: string): HeldReceipt[];
	/**
	 * Verifies the draw: beacon signature, R fixed before the seal, the log's size and root, the
	 * receipts held (or given) against the log, and the winners as the head of the ranking.
	 */
	verify(drawId: string, options?: { receipts?: HeldReceipt[] } & RequestOptions): Promise<DrawVerification>;
	/**
	 * The live feed: `draw` (the proof's headline) on connect and at every change — the signed seal
	 * at close, before R exists; awaiting the beacon; drawn (then fetch `status` for your result).
	 * Polls `proof` when WebSockets are unavailable. Returns the unsubscribe function.
	 */
	watch(drawId: string, onMessage: (message: DrawLiveMessage) => void, options?: WatchOptions): () => void;
}

/** What `watch` needs: the publishable key for the socket's URL, and a WebSocket (none: polling only). */
export interface DrawsLive {
	publishableKey: string;
	webSocket: WebSocketFactory | undefined;
	backoffBaseMs?: number;
	/** Solves a proof-of-work challenge when the draw's sequence asks for one. */
	solve: ChallengeSolvers;
}

type Storage = { getItem(key: string): string | null; setItem(key: string, value: string): void };

const enc = encodeURIComponent;

export function drawsClient(t: Transport, storage: Storage, prefix: string, live: DrawsLive): ConsumerDraws {
	const d = (id: string) => `/consumer/v1/draws/${enc(id)}`;
	const get = <R>(path: string, o?: RequestOptions) => t.request<R>({ method: "GET", path }, o);
	const post = <R>(path: string, o?: RequestOptions, body?: unknown) => t.request<R>({ method: "POST", path, body }, o);
	const keyOf = (id: string) => `${prefix}receipts:${id}`;
	const receipts = (id: string): HeldReceipt[] => {
		try {
			return JSON.parse(storage.getItem(keyOf(id)) ?? "[]") as HeldReceipt[];
		} catch {
			return [];
		}
	};
	/** Keeps each receipt once, the latest copy (with its proofs once sealed); a re-entry is another record, another receipt. */
	const keep = (id: string, state: DrawEntryState) => {
		const r = state?.receipt;
		if (r) storage.setItem(keyOf(id), JSON.stringify([...receipts(id).filter((h) => h.seq !== r.seq), r]));
		return state;
	};
	const jwks = new JwksCache(() => t.request<Jwks>({ method: "GET", path: "/.well-known/jwks.json", anonymous: true }));
	const draws: ConsumerDraws = {
		enter: async (id, o) => {
			const [body, options] = enterArgs(o);
			const state = await withChallenge(t, live.solve, id, "enter", options, (r) =>
				post<DrawEntryState>(`${d(id)}/enter`, r, body),
			);
			return keep(id, state);
		},
		status: async (id, o) => keep(id, await get<DrawEntryState>(`${d(id)}/status`, o)),
		leave: (id, o) => post<DrawEntryState>(`${d(id)}/leave`, o),
		proof: (id, o) => get<DrawProof>(`${d(id)}/proof`, o),
		log: (id, o) => get<PublishedLog>(`${d(id)}/log`, o),
		receipts,
		verify: async (id, o = {}) => {
			const [proof, log] = await Promise.all([draws.proof(id, o), draws.log(id, o)]);
			const held = o.receipts ?? receipts(id);
			// Loaded on first use: the BLS code is most of the verifier's weight, and most pages never verify.
			const { verifyDraw } = await import("../distributions/draw/verify.js");
			return verifyDraw(proof as ProofToVerify, log, { keys: jwks, receipts: held });
		},
		watch: (id, onMessage, opts = {}) =>
			subscribe<DrawLiveMessage>({
				url: () => t.url(`${d(id)}/live`, { key: live.publishableKey }),
				webSocket: live.webSocket,
				poll: async () => {
					const { drawId, status, round, roundAt, log, seal, awaitingBeacon, drawnAt } = await draws.proof(id);
					return { type: "draw" as const, drawId, status, round, roundAt, log, seal, awaitingBeacon, drawnAt };
				},
				onMessage,
				options: opts,
				backoffBaseMs: live.backoffBaseMs,
			}),
	};
	return draws;
}
