/**
 * The draw's public live feed (`GET /consumer/v1/draws/:id/live?key=pk…`, hibernation API): a
 * `draw` message (the proof's headline) on connect, then again when the log is sealed — the
 * signed seal, before R exists — and when the draw is made; ping/pong; other frames get no
 * reply; and the refusals (426 without an upgrade, 401 without a key, 404 for another
 * organization's draw).
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { enter, proofOf, shortDraw } from "../../support/draw";
import { BASE, guests, type Tenant, tenant } from "../../support/helpers";
import { closeLive, connect, type Message, ofType } from "../../support/live";

afterEach(closeLive);

const liveUrl = (t: Tenant, drawId: string, key = t.publishableKey) =>
	`${BASE}/consumer/v1/draws/${drawId}/live?${new URLSearchParams({ key })}`;

const claimsOf = (jwt: string) => JSON.parse(atob((jwt.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/")));

const sealed = (m: Message) => typeof m === "object" && m.type === "draw" && m.seal != null;
const drawn = (m: Message) => typeof m === "object" && m.type === "draw" && m.drawnAt != null;

describe("draw live feed", () => {
	it("connect → the headline; close → the signed seal before R; the draw → DRAWN, each as the proof shows it", async () => {
		const t = await tenant();
		const d = await shortDraw(t, { winnerCount: 2 }, 1500, 1500);
		const shoppers = await guests(t, 3);
		for (const s of shoppers) await enter(t, d.id, s);
		const live = await connect(liveUrl(t, d.id));

		const first = (await live.next(ofType("draw"))) as Record<string, any>;
		expect(first).toMatchObject({ type: "draw", drawId: d.id, status: "OPEN", seal: null, drawnAt: null });
		expect(first.round).toEqual(expect.any(Number));
		expect(first.log.size).toBe(4); // the rules record and three entries

		const atSeal = (await live.next(sealed, 8000)) as Record<string, any>;
		expect(atSeal.status).toBe("CLOSED");
		expect(atSeal.drawnAt).toBeNull();
		expect(atSeal.seal).toMatchObject({ drawId: d.id, size: 4, root: atSeal.log.root, round: first.round });
		expect(claimsOf(atSeal.seal.signature)).toMatchObject({ typ: "draw-seal", size: 4, root: atSeal.log.root });

		const atDraw = (await live.next(drawn, 10_000)) as Record<string, any>;
		const proof = await proofOf(t, d.id);
		expect(atDraw).toMatchObject({
			status: "DRAWN",
			round: proof.round,
			roundAt: proof.roundAt,
			seal: proof.seal,
			drawnAt: proof.drawnAt,
			log: proof.log,
		});
		// The feed carries nobody's own state: no consumer id, entry id or grant.
		const text = JSON.stringify(live.messages);
		for (const s of shoppers) expect(text).not.toContain(s.consumerId);
		expect(text).not.toContain("ent_");
		expect(text).not.toContain("admissionToken");
	});

	it("ping → pong; any other frame gets no reply at all", async () => {
		const t = await tenant();
		const d = await shortDraw(t, {}, 60_000, 120_000);
		const live = await connect(liveUrl(t, d.id));
		await live.next(ofType("draw"));
		for (const junk of ["hello", '{"type":"draw"}', "PING", "x".repeat(2000)]) live.ws.send(junk);
		live.ws.send(new Uint8Array([1, 2, 3]));
		live.ws.send("ping");
		expect(await live.next((m) => m === "pong")).toBe("pong");
		expect(live.messages, "only the first headline and the pong").toHaveLength(2);
	});

	it("refusals: 426 without an upgrade, 401 without a publishable key, 404 for another organization's draw", async () => {
		const [a, b] = [await tenant(), await tenant()];
		const d = await shortDraw(a, {}, 60_000, 120_000);

		const plain = await exports.default.fetch(new Request(liveUrl(a, d.id)));
		expect(plain.status).toBe(426);
		expect(plain.headers.get("Upgrade")).toBe("websocket");

		const noKey = await exports.default.fetch(
			new Request(`${BASE}/consumer/v1/draws/${d.id}/live`, { headers: { Upgrade: "websocket" } }),
		);
		expect(noKey.status).toBe(401);

		const other = await exports.default.fetch(new Request(liveUrl(b, d.id), { headers: { Upgrade: "websocket" } }));
		expect(other.status).toBe(404);
		expect(((await other.json()) as { title: string }).title).toBe("Draw not found");
	});
});
