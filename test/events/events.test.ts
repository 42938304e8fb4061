/**
 * The event log: every create, update, delete and status transition publishes exactly one
 * event, delivered through the Cloudflare Queue to the consumer and listed by
 * GET /api/v1/events; scheduling changes publish `distribution.updated`; filters, paging,
 * tenancy; a redelivered message is stored once.
 *
 * Delivery is asynchronous (the consumer batches for up to 1 s), so tests poll D1 with a
 * bounded loop before asserting through the API.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventMessage } from "../../src/events/publish";
import { newId } from "../../src/lib/ids";
import { createBackdated } from "../support/distributions";
import { runQueueBatch, settle } from "../support/events";
import { call, createOrg, type Tenant, type TestOrg, tenant } from "../support/helpers";
import { allItems, allPages } from "../support/pages";
import { iso, isoSeconds, waitFor } from "../support/time";

const HOUR = 3600_000;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const EVT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

async function create(t: Tenant, path: string, body: Record<string, unknown>) {
	const res = await call(path, { key: t.secretKey, body: { sequenceId: t.sequenceId, ...body } });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

async function put(t: Tenant, path: string, body: Record<string, unknown>) {
	const res = await call(path, { method: "PUT", key: t.secretKey, body });
	expect(res.status, res.text).toBe(200);
	return res.json;
}

/** `type distributionId` of every stored event of the organization (straight from D1). */
async function storedKeys(organizationId: string): Promise<string[]> {
	const { results } = await env.DB.prepare("SELECT type, distribution_id AS d FROM events WHERE organization_id = ?")
		.bind(organizationId)
		.all<{ type: string; d: string | null }>();
	return results.map((r) => `${r.type} ${r.d ?? "-"}`);
}

/**
 * Polls D1 until every `expected` key is stored (as many times as it is listed) or 5 s pass,
 * then waits for stragglers and duplicates.
 */
// A draw completes seconds after its close: it waits for its beacon round (draw-v2).
async function waitForEvents(organizationId: string, expected: string[], timeoutMs = 10_000) {
	const times = (keys: string[], k: string) => keys.filter((x) => x === k).length;
	await waitFor(
		`events ${[...new Set(expected)].join(", ")}`,
		() => storedKeys(organizationId),
		(keys) => expected.every((k) => times(keys, k) >= times(expected, k)),
		timeoutMs,
	);
	await settle();
}

/** Every event of the organization matching `query`, newest first. */
const listAll = (t: TestOrg, query = ""): Promise<any[]> =>
	allItems(`/api/v1/events?${query ? `${query}&` : ""}limit=100`, t.secretKey);

function count(events: any[], type: string, distributionId: string | null) {
	return events.filter((e) => e.type === type && e.distributionId === distributionId).length;
}

describe("one event per create, update, delete and transition", () => {
	it("experiences, sequences, queues, draws and auctions publish exactly one event each, well shaped", async () => {
		const t = await tenant();
		const now = Date.now();
		const queue = await create(t, "/api/v1/queues", { openAt: iso(now + 1000), closeAt: iso(now + 2000) });
		await put(t, `/api/v1/queues/${queue.id}`, { name: "Renamed" });
		// Times already past: a create refuses them, so these are backdated (test/support/distributions.ts).
		const draw = await createBackdated(t, "draw", {
			openAt: iso(now - 3 * HOUR),
			closeAt: iso(now - 2 * HOUR),
			drawAt: iso(now - HOUR),
			winnerCount: 5,
		});
		const auction = await createBackdated(t, "auction", {
			openAt: iso(now - 3 * HOUR),
			closeAt: iso(now - 2 * HOUR),
			settleAt: iso(now - HOUR),
		});
		// The queue closes on its own alarm (and, with nobody in line, completes); from then on it is
		// kept (409, no event). A queue that never opened is deleted instead.
		await waitForEvents(t.organizationId, [`queue.completed ${queue.id}`, `draw.completed ${draw.id}`]);
		const kept = await call(`/api/v1/queues/${queue.id}`, { method: "DELETE", key: t.secretKey });
		expect(kept.status, kept.text).toBe(409);
		const spare = await create(t, "/api/v1/queues", {});
		const del = await call(`/api/v1/queues/${spare.id}`, { method: "DELETE", key: t.secretKey });
		expect(del.status, del.text).toBe(204);

		const expected: [string, string | null, string, string?][] = [
			["experience.created", null, t.experienceId],
			["sequence.created", null, t.sequenceId],
			["queue.created", queue.id, queue.id, "SCHEDULED"],
			["queue.updated", queue.id, queue.id, "SCHEDULED"],
			["queue.opened", queue.id, queue.id, "OPEN"],
			["queue.closed", queue.id, queue.id, "CLOSED"],
			["queue.completed", queue.id, queue.id, "COMPLETED"],
			["queue.created", spare.id, spare.id, "DRAFT"],
			["queue.deleted", spare.id, spare.id],
			// Backdated: created SCHEDULED (its times shifted ahead), then moved back into the past.
			["draw.created", draw.id, draw.id, "SCHEDULED"],
			["draw.opened", draw.id, draw.id, "OPEN"],
			["draw.closed", draw.id, draw.id, "CLOSED"],
			["draw.drawn", draw.id, draw.id, "DRAWN"],
			// Nobody entered: no win is open, so the draw completes as soon as it is drawn.
			["draw.completed", draw.id, draw.id, "COMPLETED"],
			["auction.created", auction.id, auction.id, "SCHEDULED"],
			["auction.opened", auction.id, auction.id, "OPEN"],
			["auction.closed", auction.id, auction.id, "CLOSED"],
			["auction.settled", auction.id, auction.id, "SETTLED"],
		];
		await waitForEvents(
			t.organizationId,
			expected.map(([type, d]) => `${type} ${d ?? "-"}`),
		);

		// draw.sealed (an engine event, no `object`) is checked apart: once, before the draw.
		const everything = await listAll(t);
		const sealed = everything.filter((e) => e.type === "draw.sealed");
		expect(sealed.map((e) => e.distributionId)).toEqual([draw.id]);
		// The rules record, and a second if R moved on because the (backdated) seal came after its time.
		expect(sealed[0].data).toMatchObject({
			size: expect.any(Number),
			round: expect.any(Number),
			root: expect.any(String),
		});
		const events = everything.filter((e) => e.type !== "draw.sealed");
		expect(events.map((e) => `${e.type} ${e.distributionId ?? "-"}`).sort()).toEqual(
			expected.map(([type, d]) => `${type} ${d ?? "-"}`).sort(),
		);
		for (const [type, distributionId, objectId, status] of expected) {
			expect(count(events, type, distributionId), `${type} ${distributionId}`).toBe(1);
			const e = events.find((x) => x.type === type && x.distributionId === distributionId);
			expect(Object.keys(e)).toEqual(["id", "type", "distributionId", "data", "createdAt"]);
			expect(e.id).toMatch(EVT_ID);
			expect(e.createdAt).toMatch(ISO_UTC);
			expect(e.data.object, type).toBeTypeOf("object");
			expect(e.data.object.id).toBe(objectId);
			if (status) expect(e.data.object.status, `${type} data.object.status`).toBe(status);
		}
		// Newest first, by id.
		const ids = events.map((e) => e.id);
		expect([...ids].sort().reverse()).toEqual(ids);
		// Transitions of one distribution come in the order they happened (created: see the next test).
		for (const [kind, id, steps] of [
			["draw", draw.id, ["opened", "closed", "drawn", "completed"]],
			["auction", auction.id, ["opened", "closed", "settled"]],
			["queue", queue.id, ["updated", "opened", "closed", "completed"]],
			["queue", spare.id, ["deleted"]],
		] as const) {
			const ordered = events
				.filter((e) => e.distributionId === id && e.type !== `${kind}.created`)
				.reverse()
				.map((e) => e.type);
			expect(ordered, `${kind} events oldest first`).toEqual(steps.map((s) => `${kind}.${s}`));
		}
	});
});

describe("event order", () => {
	it("a distribution's created event comes before its transitions, even when its times are already past", async () => {
		const t = await tenant();
		const now = Date.now();
		const draw = await createBackdated(t, "draw", {
			openAt: iso(now - 3 * HOUR),
			closeAt: iso(now - 2 * HOUR),
			drawAt: iso(now - HOUR),
			winnerCount: 1,
		});
		await waitForEvents(t.organizationId, [`draw.created ${draw.id}`, `draw.completed ${draw.id}`]);
		const oldestFirst = (await listAll(t, `distributionId=${draw.id}`)).reverse().map((e) => e.type);
		expect(oldestFirst.filter((type) => type !== "draw.sealed")).toEqual([
			"draw.created",
			"draw.opened",
			"draw.closed",
			"draw.drawn",
			"draw.completed",
		]);
		expect(oldestFirst.indexOf("draw.sealed")).toBeLessThan(oldestFirst.indexOf("draw.drawn"));
	});
});

describe("scheduling events (distribution.updated)", () => {
	it("a timing change publishes distribution.updated with changed and previous; other changes do not", async () => {
		const t = await tenant();
		const now = Math.floor(Date.now() / 1000) * 1000; // whole seconds, so an echoed time is the same instant
		const openAt = now + 2 * HOUR;
		const closeAt = now + 3 * HOUR;
		const q = await create(t, "/api/v1/queues", { openAt: iso(openAt), closeAt: iso(closeAt) });
		const path = `/api/v1/queues/${q.id}`;

		const moved = await put(t, path, { openAt: iso(openAt + HOUR), closeAt: iso(closeAt + HOUR) });
		await put(t, path, { name: "Renamed only" });
		await put(t, path, { openAt: moved.openAt }); // same instant: not a change
		await put(t, path, { closeAt: iso(closeAt + 2 * HOUR) });

		const updated = `queue.updated ${q.id}`;
		await waitForEvents(t.organizationId, [updated, updated, updated, updated, `distribution.updated ${q.id}`]);

		const updates = await listAll(t, "type=distribution.updated");
		expect(updates).toHaveLength(2);
		const [second, first] = updates; // newest first
		expect(first.distributionId).toBe(q.id);
		expect(first.data.changed).toEqual(["openAt", "closeAt"]);
		expect(first.data.previous).toEqual({ openAt: isoSeconds(openAt), closeAt: isoSeconds(closeAt) });
		expect(first.data.object.openAt).toBe(moved.openAt);
		expect(first.data.object.closeAt).toBe(moved.closeAt);
		expect(second.data.changed).toEqual(["closeAt"]);
		expect(second.data.previous).toEqual({ closeAt: moved.closeAt });
		expect(second.data.object.closeAt).toBe(isoSeconds(closeAt + 2 * HOUR));

		expect(await listAll(t, "type=queue.updated")).toHaveLength(4);
	});

	it("a PUT that changes only the name publishes queue.updated and no distribution.updated", async () => {
		const t = await tenant();
		const q = await create(t, "/api/v1/queues", { openAt: iso(Date.now() + HOUR) });
		await put(t, `/api/v1/queues/${q.id}`, { name: "New name", metadata: { a: 1 } });
		await waitForEvents(t.organizationId, [`queue.updated ${q.id}`]);
		const updated = await listAll(t, "type=queue.updated");
		expect(updated).toHaveLength(1);
		expect(updated[0].data.object.name).toBe("New name");
		expect(await listAll(t, "type=distribution.updated")).toEqual([]);
	});
});

describe("GET /api/v1/events: filters, paging, tenancy", () => {
	it("filters by type, type prefix and distributionId; pages; gets one; hides them from other orgs", async () => {
		const t = await tenant();
		const now = Date.now();
		const past = { openAt: iso(now - 2 * HOUR), closeAt: iso(now - HOUR) };
		const q1 = await createBackdated(t, "queue", past);
		const q2 = await createBackdated(t, "queue", past);
		const d = await createBackdated(t, "draw", { ...past, drawAt: iso(now - HOUR / 2), winnerCount: 1 });
		await waitForEvents(t.organizationId, [
			`queue.completed ${q1.id}`,
			`queue.completed ${q2.id}`,
			`draw.completed ${d.id}`,
		]);
		const all = await listAll(t);
		// experience + sequence; 2 queues × created, opened, closed, completed; draw × the same plus sealed and drawn
		expect(all).toHaveLength(2 + 2 * 4 + 6);

		const opened = await listAll(t, "type=queue.opened");
		expect(opened.map((e) => e.distributionId).sort()).toEqual([q1.id, q2.id].sort());
		expect(opened.every((e) => e.type === "queue.opened")).toBe(true);

		const queueEvents = await listAll(t, "type=queue.*");
		expect(queueEvents).toHaveLength(8);
		expect(queueEvents.every((e) => e.type.startsWith("queue."))).toBe(true);
		expect(await listAll(t, "type=draw.*")).toHaveLength(6);
		expect(await listAll(t, "type=queue")).toEqual([]); // an exact type, not a prefix

		const ofQ1 = await listAll(t, `distributionId=${q1.id}`);
		expect(ofQ1.map((e) => e.type).sort()).toEqual([
			"queue.closed",
			"queue.completed",
			"queue.created",
			"queue.opened",
		]);
		const both = await listAll(t, `type=queue.opened&distributionId=${q2.id}`);
		expect(both).toHaveLength(1);
		expect(both[0].distributionId).toBe(q2.id);

		for (const bad of ["Bad%20Type", "queue.", "*", "queue.*.x", "QUEUE.OPENED"]) {
			const res = await call(`/api/v1/events?type=${bad}`, { key: t.secretKey });
			expect(res.status, `type=${bad}`).toBe(400);
			expect(res.json.title).toBe("Validation failed");
		}

		// Paging: limit 3 walks the whole list once, newest first.
		const pages = await allPages("/api/v1/events?limit=3", t.secretKey);
		const seen = pages.flatMap((p) => p.data.map((e: { id: string }) => e.id));
		expect(pages.length).toBe(Math.ceil(all.length / 3));
		expect(seen).toEqual(all.map((e) => e.id));
		const bogus = await call("/api/v1/events?cursor=not-a-cursor", { key: t.secretKey });
		expect(bogus.status).toBe(400);

		const one = await call(`/api/v1/events/${opened[0].id}`, { key: t.secretKey });
		expect(one.status, one.text).toBe(200);
		expect(one.json).toEqual(opened[0]);
		const missing = await call(`/api/v1/events/${newId("evt")}`, { key: t.secretKey });
		expect(missing.status).toBe(404);
		expect(missing.json.title).toBe("Event not found");

		const other = await createOrg();
		const theirs = await call("/api/v1/events", { key: other.secretKey });
		expect(theirs.status).toBe(200);
		expect(theirs.json).toEqual({ data: [], nextCursor: null });
		const filtered = await call(`/api/v1/events?distributionId=${q1.id}`, { key: other.secretKey });
		expect(filtered.json.data).toEqual([]);
		const peek = await call(`/api/v1/events/${opened[0].id}`, { key: other.secretKey });
		expect(peek.status).toBe(404);
		expect(peek.json.title).toBe("Event not found");
		// And the other org's key cannot page with this org's cursor.
		const page1 = await call("/api/v1/events?limit=1", { key: t.secretKey });
		const foreign = await call(`/api/v1/events?cursor=${encodeURIComponent(page1.json.nextCursor)}`, {
			key: other.secretKey,
		});
		expect(foreign.status).toBe(400);

		const anon = await call("/api/v1/events");
		expect(anon.status).toBe(401);
		const publishable = await call("/api/v1/events", { key: t.publishableKey });
		expect(publishable.status).toBe(403);
	});
});

describe("queue consumer", () => {
	it("stores a redelivered event once and acknowledges the batch", async () => {
		const org = await createOrg();
		const event: EventMessage = {
			id: newId("evt"),
			organizationId: org.organizationId,
			type: "queue.opened",
			distributionId: "queue_01HXYZ123456789ABCDEFGHJK",
			data: { object: { id: "queue_01HXYZ123456789ABCDEFGHJK", status: "OPEN" } },
			createdAt: Date.now(),
		};
		const message = (id: string, attempts: number) => ({ id, timestamp: Date.now(), attempts, body: event });

		await runQueueBatch("fanfare-events", [message("m1", 1), message("m2", 1)]);
		// Redelivered later, in another batch.
		await runQueueBatch("fanfare-events", [message("m1", 2)]);

		const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE id = ?")
			.bind(event.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(1);
		const listed = await call("/api/v1/events", { key: org.secretKey });
		expect(listed.json.data).toHaveLength(1);
		expect(listed.json.data[0]).toMatchObject({
			id: event.id,
			type: "queue.opened",
			distributionId: event.distributionId,
			data: event.data,
		});
	});

	it("drops an event of an organization that no longer exists instead of failing the batch", async () => {
		const event: EventMessage = {
			id: newId("evt"),
			organizationId: "org_01HXYZ123456789ABCDEFGHJK",
			type: "queue.deleted",
			distributionId: null,
			data: { object: {} },
			createdAt: Date.now(),
		};
		await runQueueBatch("fanfare-events", [{ id: "m1", timestamp: Date.now(), attempts: 1, body: event }]);
		const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE id = ?")
			.bind(event.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
	});
});
