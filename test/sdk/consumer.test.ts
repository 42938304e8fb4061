/**
 * The browser-side client (src/sdk/consumer.ts) against the real worker: guest and
 * merchant-issued sessions, queues (the ticket kept and sent back, live updates over the
 * WebSocket with reconnect-and-resume, the polling fallback), draws, auctions and the
 * checkout redirect.
 */
import { describe, expect, it } from "vitest";
import {
	type DrawLiveMessage,
	FanfareError,
	type LiveState,
	type QueueLiveMessage,
	type StorageLike,
	type WebSocketFactory,
	type WebSocketLike,
} from "../../src/sdk";
import { rewriteAuctionLog } from "../support/auction";
import { BASE } from "../support/helpers";
import { consumerWith, recording, type SdkTenant, sdkTenant, workerFetch, workerWebSocket } from "../support/sdk";
import { iso, sleep, waitFor } from "../support/time";

const openQueue = (t: SdkTenant, body: Record<string, unknown> = {}) =>
	t.admin.queues.create({ sequenceId: t.sequenceId, openAt: iso(Date.now() - 1000), ...body });

/** Collects messages; `next(pred)` resolves with the first (not yet taken) message matching `pred`. */
function inbox<M>() {
	const messages: M[] = [];
	let taken = 0;
	return {
		messages,
		push: (m: M) => {
			messages.push(m);
		},
		async next(pred: (m: M) => boolean, timeoutMs = 5000): Promise<M> {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const i = messages.findIndex((m, idx) => idx >= taken && pred(m));
				if (i >= 0) {
					taken = i + 1;
					return messages[i];
				}
				if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
				await sleep(20);
			}
		},
	};
}

describe("sessions", () => {
	it("auth.guest() starts a session the client then uses; setAccessToken takes a merchant-issued token", async () => {
		const t = await sdkTenant();
		const c = consumerWith(t);
		expect(c.accessToken).toBeNull();
		const session = await c.auth.guest();
		expect(session).toMatchObject({ consumerId: expect.stringMatching(/^con_/), tokenType: "Bearer" });
		expect(c.accessToken).toBe(session.accessToken);
		expect(c.consumerId).toBe(session.consumerId);

		const shopper = await t.admin.consumers.create({ email: "shopper@example.com" });
		const issued = await t.admin.consumers.createToken(shopper.id);
		const merchantSide = consumerWith(t);
		merchantSide.setAccessToken(issued.accessToken);
		expect(merchantSide.consumerId).toBe(shopper.id);
		const queue = await openQueue(t);
		expect((await merchantSide.queues.enter(queue.id)).consumerId).toBe(shopper.id);

		// Without a token the consumer API answers 401, thrown as FanfareError.
		const err = await consumerWith(t)
			.queues.enter(queue.id)
			.catch((e) => e);
		expect(err).toBeInstanceOf(FanfareError);
		expect(err).toMatchObject({ status: 401, title: "Authentication required" });
	});

	it("with a storage, the token and the queue ticket survive a page reload", async () => {
		const t = await sdkTenant();
		const map = new Map<string, string>();
		const storage: StorageLike = {
			getItem: (k) => map.get(k) ?? null,
			setItem: (k, v) => void map.set(k, v),
			removeItem: (k) => void map.delete(k),
		};
		const first = consumerWith(t, { storage });
		await first.auth.guest();
		const queue = await openQueue(t);
		const entered = await first.queues.enter(queue.id);

		const reloaded = consumerWith(t, { storage });
		expect(reloaded.consumerId).toBe(first.consumerId);
		expect(reloaded.queues.ticket(queue.id)).toBe(entered.ticket);
		expect(await reloaded.queues.status(queue.id)).toMatchObject({ consumerId: first.consumerId, position: 1 });
	});
});

describe("queues", () => {
	it("enter, status (sending the kept ticket), leave; a ticket alone is enough", async () => {
		const t = await sdkTenant();
		const queue = await openQueue(t);
		const ahead = consumerWith(t);
		await ahead.auth.guest();
		await ahead.queues.enter(queue.id);

		const { requests, fetch } = recording();
		const c = consumerWith(t, { fetch });
		await c.auth.guest();
		expect(c.queues.ticket(queue.id)).toBeNull();
		const entered = await c.queues.enter(queue.id);
		expect(entered).toMatchObject({ consumerId: c.consumerId, status: "QUEUED", position: 2 });
		expect(c.queues.ticket(queue.id)).toBe(entered.ticket);

		const status = await c.queues.status(queue.id);
		expect(status).toMatchObject({ status: "QUEUED", position: 2, ticket: entered.ticket });
		const statusCall = requests.find((r) => r.path.endsWith("/status"));
		expect(statusCall?.headers.get("X-Queue-Ticket")).toBe(entered.ticket);
		expect(statusCall?.headers.get("X-Publishable-Key")).toBe(t.publishableKey);
		expect(statusCall?.headers.get("Authorization")).toBe(`Bearer ${c.accessToken}`);
		const enterCall = requests.find((r) => r.path.endsWith("/enter"));
		expect(enterCall?.headers.get("X-Queue-Ticket")).toBeNull();

		// A page holding only the ticket (no access token) can poll its place.
		const ticketOnly = consumerWith(t);
		ticketOnly.queues.setTicket(queue.id, entered.ticket);
		expect(await ticketOnly.queues.status(queue.id)).toMatchObject({ consumerId: c.consumerId, position: 2 });

		await ahead.queues.leave(queue.id);
		// Ticket polls are answered at the edge from a snapshot at most a second old.
		await waitFor(
			"moving up",
			() => c.queues.status(queue.id),
			(s) => s.position === 1,
		);
		expect((await c.queues.leave(queue.id)).status).toBe("LEFT");
		expect((await c.queues.status(queue.id)).status).toBe("LEFT");
	});

	it("watch: status on connect, admitted with the grant over the WebSocket; unsubscribe closes it", async () => {
		const t = await sdkTenant();
		const queue = await openQueue(t);
		const c = consumerWith(t);
		await c.auth.guest();
		await c.queues.enter(queue.id);
		const box = inbox<QueueLiveMessage>();
		const states: LiveState[] = [];
		const stop = c.queues.watch(queue.id, box.push, { onStateChange: (s) => states.push(s) });

		expect(await box.next((m) => m.type === "status")).toMatchObject({ status: "QUEUED", position: 1 });
		await t.admin.queues.admit(queue.id, 1);
		const admitted = await box.next((m) => m.type === "admitted");
		expect(admitted).toMatchObject({ status: "ADMITTED", admissionToken: expect.any(String) });
		stop();
		expect(states).toEqual(["connecting", "live", "stopped"]);
		const claims = await t.admin.verifyAdmission((admitted as { admissionToken: string }).admissionToken);
		expect(claims).toMatchObject({ sub: c.consumerId, dist: queue.id });
	});

	it("watch reconnects after a dropped connection and resumes at the same place", async () => {
		const t = await sdkTenant();
		const queue = await openQueue(t);
		const [first, c] = [consumerWith(t), consumerWith(t)];
		for (const s of [first, c]) {
			await s.auth.guest();
			await s.queues.enter(queue.id);
		}
		const sockets: Droppable[] = [];
		const droppable: WebSocketFactory = async (url) => {
			const socket = new Droppable(await workerWebSocket(url));
			sockets.push(socket);
			return socket;
		};
		const box = inbox<QueueLiveMessage>();
		const states: LiveState[] = [];
		const stop = consumerWith(t, { webSocket: droppable, accessToken: c.accessToken as string }).queues.watch(
			queue.id,
			box.push,
			{ onStateChange: (s) => states.push(s) },
		);
		expect(await box.next((m) => m.type === "status")).toMatchObject({ position: 2 });
		sockets[0].drop();
		expect(await box.next((m) => m.type === "status")).toMatchObject({ position: 2, consumerId: c.consumerId });
		expect(sockets).toHaveLength(2);
		expect(states).toEqual(["connecting", "live", "reconnecting", "live"]);
		stop();
	});

	it("falls back to polling status when WebSockets are unavailable or keep failing", async () => {
		const t = await sdkTenant();
		const queue = await openQueue(t);
		const c = consumerWith(t, { webSocket: null });
		await c.auth.guest();
		await c.queues.enter(queue.id);
		const box = inbox<QueueLiveMessage>();
		const stop = c.queues.watch(queue.id, box.push, { pollIntervalMs: 100 });
		expect(await box.next((m) => m.type === "status")).toMatchObject({ status: "QUEUED", position: 1 });
		await t.admin.queues.admit(queue.id, 1);
		expect(await box.next((m) => m.type === "status" && m.status === "ADMITTED")).toMatchObject({
			admissionToken: expect.any(String),
		});
		stop();
		const polled = box.messages.length;
		await sleep(250);
		expect(box.messages.length).toBe(polled);

		let attempts = 0;
		const broken: WebSocketFactory = async () => {
			attempts++;
			throw new Error("WebSocket blocked by a proxy");
		};
		const flaky = consumerWith(t, { webSocket: broken, accessToken: c.accessToken as string });
		const states: LiveState[] = [];
		const errors: unknown[] = [];
		const box2 = inbox<QueueLiveMessage>();
		const stop2 = flaky.queues.watch(queue.id, box2.push, {
			maxReconnects: 3,
			pollIntervalMs: 100,
			onStateChange: (s) => states.push(s),
			onError: (e) => errors.push(e),
		});
		expect(await box2.next((m) => m.type === "status")).toMatchObject({ status: "ADMITTED" });
		expect(attempts).toBe(3);
		expect(errors).toHaveLength(3);
		expect(states).toEqual(["connecting", "reconnecting", "polling"]);
		stop2();
	});
});

describe("draws", () => {
	it("enter, status, proof, leave", async () => {
		const t = await sdkTenant();
		const draw = await t.admin.draws.create({
			sequenceId: t.sequenceId,
			openAt: iso(Date.now() - 1000),
			drawAt: iso(Date.now() + 3600_000),
			winnerCount: 1,
		});
		const c = consumerWith(t);
		await c.auth.guest();
		const entered = await c.draws.enter(draw.id);
		expect(entered).toMatchObject({ consumerId: c.consumerId, status: "ENTERED" });
		expect(entered.receipt).toMatchObject({
			entryId: expect.any(String),
			seq: 1,
			root: expect.stringMatching(/^[0-9a-f]{64}$/),
		});
		expect(await c.draws.status(draw.id)).toEqual(entered);
		const proof = await c.draws.proof(draw.id);
		expect(proof).toMatchObject({
			drawId: draw.id,
			algorithm: "fanfare-edge/draw-v2",
			log: { size: 2, root: entered.receipt.root },
			seal: null,
			beacon: null,
			winners: [],
		});
		expect((await c.draws.leave(draw.id)).status).toBe("LEFT");
		const missing = await c.draws.status("draw_01HXYZ123456789ABCDEFGHJK").catch((e) => e);
		expect(missing).toMatchObject({ status: 404, title: "Draw not found" });
	});

	it("draws.watch: the headline on connect, the seal at close, then drawn — over the WebSocket, and by polling", async () => {
		const t = await sdkTenant();
		const now = Date.now();
		const draw = await t.admin.draws.create({
			sequenceId: t.sequenceId,
			openAt: iso(now - 1000),
			closeAt: iso(now + 1500),
			drawAt: iso(now + 1500),
			winnerCount: 1,
		});
		const c = consumerWith(t);
		await c.auth.guest();
		await c.draws.enter(draw.id);
		const live = inbox<DrawLiveMessage>();
		const polled = inbox<DrawLiveMessage>();
		const stopLive = c.draws.watch(draw.id, live.push);
		const stopPoll = c.draws.watch(draw.id, polled.push, { polling: true, pollIntervalMs: 200 });

		expect(await live.next(() => true)).toMatchObject({ type: "draw", drawId: draw.id, status: "OPEN", seal: null });
		const sealed = await live.next((m) => m.seal != null);
		expect(sealed).toMatchObject({ status: "CLOSED", drawnAt: null, seal: { size: 2 } });
		const drawn = await live.next((m) => m.drawnAt != null);
		expect(drawn.status).toBe("DRAWN");
		// Polling shows the same headline as the socket.
		expect(await polled.next((m) => m.drawnAt != null)).toEqual(drawn);
		stopLive();
		stopPoll();
		expect((await c.draws.status(draw.id)).status).toBe("WON");
	});

	it("verify: the SDK checks a drawn draw with the receipts it kept, and names a failed check", async () => {
		const t = await sdkTenant();
		const now = Date.now();
		const draw = await t.admin.draws.create({
			sequenceId: t.sequenceId,
			openAt: iso(now - 1000),
			closeAt: iso(now + 1500),
			drawAt: iso(now + 2500),
			winnerCount: 1,
		});
		const shoppers = [consumerWith(t), consumerWith(t), consumerWith(t)];
		for (const c of shoppers) {
			await c.auth.guest();
			await c.draws.enter(draw.id);
		}
		const [alice] = shoppers;
		expect(alice.draws.receipts(draw.id)).toHaveLength(1);
		const early = await alice.draws.verify(draw.id);
		expect(early.ok, "not sealed yet").toBe(false);
		expect(early.checks.find((c) => !c.ok)?.name).toBe("sealed");

		await waitFor(
			"drawn",
			() => alice.draws.proof(draw.id),
			(p) => p.drawnAt != null,
			9000,
			200,
		);
		// A status read after the close refreshes the kept receipt with its inclusion and consistency proofs.
		expect((await alice.draws.status(draw.id)).receipt.sealed).toBeDefined();
		const result = await alice.draws.verify(draw.id);
		expect(result.checks.filter((c) => !c.ok)).toEqual([]);
		expect(result).toMatchObject({ ok: true, devChain: true });
		expect(result.checks.map((c) => c.name)).toContain(
			`receipt ${alice.draws.receipts(draw.id)[0].entryId}: inclusion in the seal`,
		);
		// A receipt the log does not back (its root altered) fails, with what was expected and found.
		const [held] = alice.draws.receipts(draw.id);
		const bad = await alice.draws.verify(draw.id, { receipts: [{ ...held, root: "00".repeat(32) }] });
		expect(bad.ok).toBe(false);
		expect(bad.checks.find((c) => c.name.endsWith(`log root at ${held.size}`))).toMatchObject({
			ok: false,
			expected: "00".repeat(32),
		});
	});
});

describe("auctions", () => {
	it("get, bid (with a proxy maximum), status, watch; outbid by another bidder", async () => {
		const t = await sdkTenant();
		const auction = await t.admin.auctions.create({
			sequenceId: t.sequenceId,
			openAt: iso(Date.now() - 1000),
			settleAt: iso(Date.now() + 3600_000),
			startingBid: 100,
			minimumIncrement: 10,
		});
		const [alice, bob] = [consumerWith(t), consumerWith(t)];
		await alice.auth.guest();
		await bob.auth.guest();
		expect(await alice.auctions.get(auction.id)).toMatchObject({
			auctionId: auction.id,
			status: "OPEN",
			currentPrice: null,
			bidCount: 0,
			minimumNextBid: 100,
		});
		expect((await alice.auctions.status(auction.id)).status).toBe("NOT_BID");

		const box = inbox<{ type: string; currentPrice?: number | null }>();
		const stop = bob.auctions.watch(auction.id, box.push);
		expect(await box.next((m) => m.type === "price")).toMatchObject({ currentPrice: null });

		const bid = await alice.auctions.bid(auction.id, { amount: 100, maxAmount: 150 });
		expect(bid).toMatchObject({ consumerId: alice.consumerId, status: "WINNING", yourMaximum: 150, currentPrice: 100 });
		expect(await box.next((m) => m.type === "price" && m.currentPrice === 100)).toBeTruthy();

		const low = await bob.auctions.bid(auction.id, { amount: 100 }).catch((e) => e);
		expect(low).toMatchObject({ status: 409, title: "Bid too low" });
		expect((await bob.auctions.bid(auction.id, { amount: 200 })).status).toBe("WINNING");
		expect((await alice.auctions.status(auction.id)).status).toBe("OUTBID");
		// The price never falls below the new leader's own bid (alice's maximum, 150, is beaten).
		expect(await box.next((m) => m.type === "price" && m.currentPrice === 200)).toBeTruthy();
		stop();
	});

	it("heads(id) keeps every signed head seen; verify(id) passes on the honest log and proves a rewritten one", async () => {
		const t = await sdkTenant();
		const auction = await t.admin.auctions.create({
			sequenceId: t.sequenceId,
			openAt: iso(Date.now() - 1000),
			settleAt: iso(Date.now() + 3600_000),
			startingBid: 100,
			minimumIncrement: 10,
		});
		const [alice, bob] = [consumerWith(t), consumerWith(t)];
		await alice.auth.guest();
		await bob.auth.guest();
		expect(alice.auctions.heads(auction.id)).toEqual([]);
		const box = inbox<{ type: string; head?: { seq: number } | null }>();
		const stop = alice.auctions.watch(auction.id, box.push);
		await box.next((m) => m.type === "price");
		await alice.auctions.bid(auction.id, { amount: 110, maxAmount: 300 });
		await bob.auctions.bid(auction.id, { amount: 200 });
		// bob's bid reaches alice as a live price carrying the head after it (seq 3: bid, bid, proxy).
		await box.next((m) => m.type === "price" && m.head?.seq === 3);
		stop();
		expect(alice.auctions.heads(auction.id).map((h) => h.seq)).toEqual([1, 3]);
		expect(bob.auctions.heads(auction.id).map((h) => h.seq)).toEqual([3]);

		const log = await alice.auctions.log(auction.id);
		expect(log).toMatchObject({ algorithm: "fanfare-edge/auction-v2", status: "OPEN" });
		expect(log.entries.find((e) => e.kind === "bid")).not.toHaveProperty("maxAmount");
		const honest = await alice.auctions.verify(auction.id);
		expect(honest).toMatchObject({ ok: true, problems: [], entries: 3, revealed: false });
		expect(honest.heads).toBe(3); // alice's two and the log's own

		await rewriteAuctionLog(auction.id, 1, 12_000);
		const caught = await alice.auctions.verify(auction.id);
		expect(caught.ok).toBe(false);
		expect(caught.problems.join("\n")).toMatch(/history was rewritten/);
		// bob's head too; and a head handed in from elsewhere counts like a held one.
		expect((await bob.auctions.verify(auction.id)).ok).toBe(false);
		const fresh = consumerWith(t);
		expect((await fresh.auctions.verify(auction.id)).ok).toBe(true);
		expect((await fresh.auctions.verify(auction.id, { heads: alice.auctions.heads(auction.id) })).ok).toBe(false);
	});

	it("buyNow settles at once: the buyer holds a grant and the checkout URL redirects to the merchant", async () => {
		const t = await sdkTenant({ checkoutUrl: "https://shop.example.com/checkout" });
		const auction = await t.admin.auctions.create({
			sequenceId: t.sequenceId,
			openAt: iso(Date.now() - 1000),
			settleAt: iso(Date.now() + 3600_000),
			startingBid: 100,
			buyNowPrice: 500,
		});
		const c = consumerWith(t);
		await c.auth.guest();
		const bought = await c.auctions.buyNow(auction.id);
		expect(bought).toMatchObject({ status: "WON", finalPrice: 500 });
		const status = await c.auctions.status(auction.id);
		expect(status).toMatchObject({ status: "WON", admissionToken: expect.any(String) });

		// The grant identifies the shopper: the access token stays out of the URL.
		const url = c.checkoutUrl(auction.id, status.admissionToken as string);
		expect(url).toBe(
			`${BASE}/consumer/v1/checkout/${auction.id}?key=${t.publishableKey}&grant=${encodeURIComponent(status.admissionToken as string)}`,
		);
		expect(url).not.toContain(c.accessToken as string);
		const res = await workerFetch(url, { redirect: "manual" });
		expect(res.status).toBe(302);
		const location = new URL(res.headers.get("Location") as string);
		expect(location.origin + location.pathname).toBe("https://shop.example.com/checkout");
		expect(location.searchParams.get("admissionToken")).toBe(status.admissionToken);
	});
});

/** A real socket that the test can cut as a network failure would (the client sees a 1006 close). */
class Droppable implements WebSocketLike {
	private readonly listeners = new Map<string, ((event: any) => void)[]>();
	private dropped = false;

	constructor(private readonly real: WebSocketLike) {
		for (const type of ["message", "close", "error"] as const) {
			real.addEventListener(type, (event) => {
				if (!this.dropped) this.emit(type, event);
			});
		}
	}

	get readyState() {
		return this.dropped ? 3 : this.real.readyState;
	}

	send(data: string) {
		this.real.send(data);
	}

	close(code?: number, reason?: string) {
		this.real.close(code, reason);
	}

	addEventListener(type: string, listener: (event: any) => void) {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
	}

	drop() {
		this.dropped = true;
		try {
			this.real.close(1000, "test drop");
		} catch {
			// already closed
		}
		this.emit("close", { code: 1006, reason: "" });
	}

	private emit(type: string, event: unknown) {
		for (const l of this.listeners.get(type) ?? []) l(event);
	}
}
