/**
 * The public proof as the route sends it: the object's own serialization (once drawn, built once
 * and kept until its status or the winner lists change), byte for byte JSON.stringify of the
 * proof object, with a strong ETag; If-None-Match → 304 with no body; a backfill changes the text
 * and the ETag. On the local dev beacon, through the worker.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { enterAll, proofOf, runClaimsAt, shortDraw, waitDrawn } from "../../support/draw";
import { call, guests, type Tenant, tenant } from "../../support/helpers";
import { drawStub } from "../../support/objects";

let t: Tenant;
let drawId: string;

const getProof = (headers: Record<string, string> = {}) =>
	call(`/consumer/v1/draws/${drawId}/proof`, { headers: { "X-Publishable-Key": t.publishableKey, ...headers } });

beforeAll(async () => {
	t = await tenant();
	const shoppers = await guests(t, 6);
	const d = await shortDraw(t, { winnerCount: 2, backfill: true, claimWindowSeconds: 60 }, 1500, 2500);
	drawId = d.id;
	await enterAll(t, d.id, shoppers);
}, 20_000);

describe("the public proof", () => {
	it("while OPEN: JSON with an ETag, 304 when the client holds it", async () => {
		const res = await getProof();
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("application/json");
		const etag = res.headers.get("ETag") as string;
		expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
		const again = await getProof({ "If-None-Match": etag });
		expect(again.status).toBe(304);
		expect(again.text).toBe("");
		expect(again.headers.get("ETag")).toBe(etag);
	});

	it("once drawn: the same bytes every time, exactly JSON.stringify of the object's proof", async () => {
		const drawn = await waitDrawn(t, drawId, 9000);
		expect(drawn.winners).toHaveLength(2);
		const first = await getProof();
		const second = await getProof();
		expect(second.text).toBe(first.text);
		expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
		const object = await drawStub(drawId).proof(t.organizationId);
		expect(first.text).toBe(JSON.stringify(object));
		expect(first.json).toEqual(await proofOf(t, drawId));
	});

	it("answers If-None-Match by RFC 9110: strong or weak, a list, `*`; a stale ETag gets the proof", async () => {
		const { headers, text } = await getProof();
		const etag = headers.get("ETag") as string;
		for (const header of [etag, `W/${etag}`, `"0000", ${etag}`, "*"]) {
			const res = await getProof({ "If-None-Match": header });
			expect(res.status, header).toBe(304);
			expect(res.text).toBe("");
		}
		const stale = await getProof({ "If-None-Match": '"0123456789abcdef0123456789abcdef"' });
		expect(stale.status).toBe(200);
		expect(stale.text).toBe(text);
	});

	it("a backfill changes the proof and its ETag: the cached text is not served past it", async () => {
		const before = await getProof();
		expect(before.json.backfills).toEqual([]);
		await runClaimsAt(drawId, Date.parse(before.json.drawnAt) + 61_000);
		const after = await getProof({ "If-None-Match": before.headers.get("ETag") as string });
		expect(after.status).toBe(200);
		expect(after.json.backfills).toHaveLength(2);
		expect(after.headers.get("ETag")).not.toBe(before.headers.get("ETag"));
		expect(after.text).toBe(JSON.stringify(await drawStub(drawId).proof(t.organizationId)));
	});

	it("an unknown draw is a 404 problem, no ETag", async () => {
		const res = await call("/consumer/v1/draws/draw_00000000000000000000000000/proof", {
			headers: { "X-Publishable-Key": t.publishableKey },
		});
		expect(res.status).toBe(404);
		expect(res.headers.get("ETag")).toBeNull();
	});
});
