/**
 * Every example of distributions-api.txt, run against the real worker with its dates
 * moved from 2024 to 2030 (offsets kept): the responses must equal the spec's example
 * field for field and key for key, except the values the server mints (ids, seed,
 * timestamps), which are checked by format.
 */
import { describe, expect, it } from "vitest";
import { call, countRows, createOrg, launch, type TestOrg } from "../support/helpers";
import { expectProblem } from "../support/problems";

const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINTED = ["id", "organizationId", "sequenceId", "encryptionSeed", "createdAt", "updatedAt"];

/** A fresh experience and sequence of `org`: the parent every distribution needs. */
const makeSequence = async (org: TestOrg) => (await launch(org, { name: "Holiday Launch" })).sequenceId;

/** A new organization (default zone `timeZone`) with a sequence, and `body(sequenceId)` POSTed to `path` in it: 201. */
async function postInNewOrg(path: string, body: (sequenceId: string) => Record<string, unknown>, timeZone?: string) {
	const org = await createOrg(timeZone);
	const sequenceId = await makeSequence(org);
	const res = await call(path, { key: org.secretKey, body: body(sequenceId) });
	expect(res.status, res.text).toBe(201);
	return { org, sequenceId, res };
}

/**
 * `actual` is the spec's `example` response: the same keys in the same order, the same
 * values, and the minted fields well-formed (ids of the right prefix, a UUID seed,
 * second-precision UTC timestamps of about now).
 */
function expectSpecObject(
	actual: Record<string, unknown>,
	example: Record<string, unknown>,
	prefix: string,
	org: TestOrg,
	sequenceId: string,
) {
	expect(Object.keys(actual)).toEqual(Object.keys(example));
	for (const key of Object.keys(example)) {
		if (!MINTED.includes(key)) expect(actual[key], key).toEqual(example[key]);
	}
	expect(actual.id).toMatch(new RegExp(`^${prefix}_${ULID}$`));
	expect(actual.organizationId).toBe(org.organizationId);
	expect(actual.organizationId).toMatch(new RegExp(`^org_${ULID}$`));
	expect(actual.sequenceId).toBe(sequenceId);
	expect(actual.sequenceId).toMatch(new RegExp(`^seq_${ULID}$`));
	expect(actual.encryptionSeed).toMatch(UUID);
	expect(actual.createdAt).toMatch(ISO_UTC);
	expect(actual.updatedAt).toMatch(ISO_UTC);
	expect(Math.abs(Date.parse(actual.createdAt as string) - Date.now())).toBeLessThan(60_000);
	expect(Date.parse(actual.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(actual.createdAt as string));
}

// ---- The spec's examples, 2024 → 2030 -------------------------------------------------

const queueRequest = (sequenceId: string) => ({
	sequenceId,
	name: "Launch Day Queue",
	timeZone: "America/New_York",
	openAt: "2030-12-15T09:00:00-05:00",
	closeAt: "2030-12-15T18:00:00-05:00",
	maxCapacity: 10000,
	admissionRate: 100,
	sessionDurationSeconds: 900,
});
const queueExample = {
	id: "queue_01HXYZ123456789",
	organizationId: "org_01HXYZ123456789",
	sequenceId: "seq_01HXYZ123456789",
	name: "Launch Day Queue",
	timeZone: "America/New_York",
	status: "SCHEDULED",
	openAt: "2030-12-15T14:00:00Z",
	closeAt: "2030-12-15T23:00:00Z",
	encryptionSeed: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
	maxCapacity: 10000,
	admissionRate: 100,
	sessionDurationSeconds: 900,
	metadata: null,
	createdAt: "2030-12-01T10:00:00Z",
	updatedAt: "2030-12-01T10:00:00Z",
};

const drawRequest = (sequenceId: string) => ({
	sequenceId,
	name: "Holiday Raffle",
	timeZone: "America/New_York",
	openAt: "2030-12-01T00:00:00-05:00",
	closeAt: "2030-12-14T23:59:59-05:00",
	drawAt: "2030-12-15T12:00:00-05:00",
	winnerCount: 100,
	maxEntries: 50000,
});
const drawExample = {
	id: "draw_01HXYZ123456789",
	organizationId: "org_01HXYZ123456789",
	sequenceId: "seq_01HXYZ123456789",
	name: "Holiday Raffle",
	timeZone: "America/New_York",
	status: "SCHEDULED",
	openAt: "2030-12-01T05:00:00Z",
	closeAt: "2030-12-15T04:59:59Z",
	drawAt: "2030-12-15T17:00:00Z",
	winnerCount: 100,
	encryptionSeed: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
	maxEntries: 50000,
	metadata: null,
	createdAt: "2030-12-01T10:00:00Z",
	updatedAt: "2030-12-01T10:00:00Z",
};

const auctionRequest = (sequenceId: string) => ({
	sequenceId,
	name: "Rare Collectible Auction",
	timeZone: "America/New_York",
	openAt: "2030-12-10T09:00:00-05:00",
	closeAt: "2030-12-15T21:00:00-05:00",
	settleAt: "2030-12-15T21:30:00-05:00",
	startingBid: 100,
	minimumIncrement: 10,
	reservePrice: 500,
	buyNowPrice: 2000,
});
const auctionExample = {
	id: "auction_01HXYZ123456789",
	organizationId: "org_01HXYZ123456789",
	sequenceId: "seq_01HXYZ123456789",
	name: "Rare Collectible Auction",
	timeZone: "America/New_York",
	status: "SCHEDULED",
	openAt: "2030-12-10T14:00:00Z",
	closeAt: "2030-12-16T02:00:00Z",
	settleAt: "2030-12-16T02:30:00Z",
	startingBid: 100,
	minimumIncrement: 10,
	reservePrice: 500,
	buyNowPrice: 2000,
	encryptionSeed: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
	metadata: null,
	createdAt: "2030-12-01T10:00:00Z",
	updatedAt: "2030-12-01T10:00:00Z",
};

const EXAMPLES = [
	{ type: "queue", path: "/api/v1/queues", title: "Queue not found", request: queueRequest, example: queueExample },
	{ type: "draw", path: "/api/v1/draws", title: "Draw not found", request: drawRequest, example: drawExample },
	{
		type: "auction",
		path: "/api/v1/auctions",
		title: "Auction not found",
		request: auctionRequest,
		example: auctionExample,
	},
] as const;

for (const { type, path, title, request, example } of EXAMPLES) {
	describe(`spec example: ${type}s`, () => {
		it(`Create ${type} (POST ${path}) → 201 with the spec's example response`, async () => {
			const { org, sequenceId, res } = await postInNewOrg(path, request);
			expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
			expectSpecObject(res.json, example, type, org, sequenceId);
			expect(res.json.createdAt).toBe(res.json.updatedAt);
			expect(await countRows("distributions", org.organizationId)).toBe(1);
		});

		it(`List ${type}s (GET ${path}) → the created ${type}, as the spec's object`, async () => {
			const { org, sequenceId, res: created } = await postInNewOrg(path, request);
			const res = await call(path, { key: org.secretKey });
			expect(res.status, res.text).toBe(200);
			expect(Object.keys(res.json)).toEqual(["data", "nextCursor"]);
			expect(res.json.nextCursor).toBeNull();
			expect(res.json.data).toHaveLength(1);
			expect(res.json.data[0]).toEqual(created.json);
			expectSpecObject(res.json.data[0], example, type, org, sequenceId);
		});

		it(`Get ${type} (GET ${path}/:id) → the same object`, async () => {
			const { org, sequenceId, res: created } = await postInNewOrg(path, request);
			const res = await call(`${path}/${created.json.id}`, { key: org.secretKey });
			expect(res.status, res.text).toBe(200);
			expect(res.json).toEqual(created.json);
			expectSpecObject(res.json, example, type, org, sequenceId);
		});

		it(`Delete ${type} (DELETE ${path}/:id) → 204, then 404 ${title}`, async () => {
			const { org, res: created } = await postInNewOrg(path, request);
			const res = await call(`${path}/${created.json.id}`, { key: org.secretKey, method: "DELETE" });
			expect(res.status, res.text).toBe(204);
			expect(res.text).toBe("");
			expectProblem(await call(`${path}/${created.json.id}`, { key: org.secretKey }), 404, title);
			expect((await call(path, { key: org.secretKey })).json).toEqual({ data: [], nextCursor: null });
			expect(await countRows("distributions", org.organizationId)).toBe(0);
		});
	});
}

describe("spec example: Update Queue", () => {
	it("PUT { admissionRate: 150, closeAt: 20:00-05:00 } → 200 with both changed and the rest intact", async () => {
		const { org, sequenceId, res: created } = await postInNewOrg("/api/v1/queues", queueRequest);
		const res = await call(`/api/v1/queues/${created.json.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { admissionRate: 150, closeAt: "2030-12-15T20:00:00-05:00" },
		});
		expect(res.status, res.text).toBe(200);
		const updatedExample = { ...queueExample, admissionRate: 150, closeAt: "2030-12-16T01:00:00Z" };
		expectSpecObject(res.json, updatedExample, "queue", org, sequenceId);
		expect(res.json.id).toBe(created.json.id);
		expect(res.json.encryptionSeed).toBe(created.json.encryptionSeed);
		expect(res.json.createdAt).toBe(created.json.createdAt);
		const got = await call(`/api/v1/queues/${created.json.id}`, { key: org.secretKey });
		expect(got.status).toBe(200);
		expect(got.json).toEqual(res.json);
	});
});

describe("spec: Time Zones", () => {
	it("local openAt/closeAt without offset are read in the given timeZone (America/New_York)", async () => {
		const { res } = await postInNewOrg("/api/v1/queues", (sequenceId) => ({
			sequenceId,
			timeZone: "America/New_York",
			openAt: "2030-12-15T09:00:00", // 9 AM Eastern
			closeAt: "2030-12-15T18:00:00", // 6 PM Eastern
		}));
		expect(res.json.timeZone).toBe("America/New_York");
		expect(res.json.openAt).toBe("2030-12-15T14:00:00Z");
		expect(res.json.closeAt).toBe("2030-12-15T23:00:00Z");
		expect(res.json.status).toBe("SCHEDULED");
	});

	it("the zone's daylight saving time is applied (New York in July is UTC-4)", async () => {
		const { res } = await postInNewOrg("/api/v1/queues", (sequenceId) => ({
			sequenceId,
			timeZone: "America/New_York",
			openAt: "2030-07-15T09:00:00",
			closeAt: "2030-07-15T18:00:00",
		}));
		expect(res.json.openAt).toBe("2030-07-15T13:00:00Z");
		expect(res.json.closeAt).toBe("2030-07-15T22:00:00Z");
	});

	it("draws and auctions read drawAt / settleAt in their timeZone too", async () => {
		const {
			org,
			sequenceId,
			res: draw,
		} = await postInNewOrg("/api/v1/draws", (sequenceId) => ({
			sequenceId,
			timeZone: "America/New_York",
			openAt: "2030-12-01T00:00:00",
			closeAt: "2030-12-14T23:59:59",
			drawAt: "2030-12-15T12:00:00",
			winnerCount: 100,
		}));
		expect([draw.json.openAt, draw.json.closeAt, draw.json.drawAt]).toEqual([
			"2030-12-01T05:00:00Z",
			"2030-12-15T04:59:59Z",
			"2030-12-15T17:00:00Z",
		]);
		const auction = await call("/api/v1/auctions", {
			key: org.secretKey,
			body: {
				sequenceId,
				timeZone: "America/New_York",
				openAt: "2030-12-10T09:00:00",
				closeAt: "2030-12-15T21:00:00",
				settleAt: "2030-12-15T21:30:00",
			},
		});
		expect(auction.status, auction.text).toBe(201);
		expect([auction.json.openAt, auction.json.closeAt, auction.json.settleAt]).toEqual([
			"2030-12-10T14:00:00Z",
			"2030-12-16T02:00:00Z",
			"2030-12-16T02:30:00Z",
		]);
	});

	it("no timeZone → the organization's defaultTimeZone (Europe/Paris) reads local times", async () => {
		const { org, sequenceId, res } = await postInNewOrg(
			"/api/v1/queues",
			(sequenceId) => ({ sequenceId, openAt: "2030-12-15T09:00:00", closeAt: "2030-12-15T18:00:00" }),
			"Europe/Paris",
		);
		expect(res.json.timeZone).toBe("Europe/Paris");
		expect(res.json.openAt).toBe("2030-12-15T08:00:00Z"); // CET, UTC+1
		expect(res.json.closeAt).toBe("2030-12-15T17:00:00Z");
		const summer = await call("/api/v1/draws", {
			key: org.secretKey,
			body: { sequenceId, openAt: "2030-07-01T10:00:00", drawAt: "2030-07-02T10:00:00", winnerCount: 1 },
		});
		expect(summer.status, summer.text).toBe(201);
		expect(summer.json.timeZone).toBe("Europe/Paris");
		expect(summer.json.openAt).toBe("2030-07-01T08:00:00Z"); // CEST, UTC+2
		expect(summer.json.drawAt).toBe("2030-07-02T08:00:00Z");
		const got = await call(`/api/v1/queues/${res.json.id}`, { key: org.secretKey });
		expect(got.json.timeZone).toBe("Europe/Paris");
		expect(got.json.openAt).toBe("2030-12-15T08:00:00Z");
	});

	it("an explicit offset wins over the timeZone; the given timeZone wins over the org default", async () => {
		const { res } = await postInNewOrg(
			"/api/v1/queues",
			(sequenceId) => ({
				sequenceId,
				timeZone: "Asia/Tokyo",
				openAt: "2030-12-15T09:00:00-05:00",
				closeAt: "2030-12-16T18:00:00",
			}),
			"Europe/Paris",
		);
		expect(res.json.timeZone).toBe("Asia/Tokyo");
		expect(res.json.openAt).toBe("2030-12-15T14:00:00Z");
		expect(res.json.closeAt).toBe("2030-12-16T09:00:00Z"); // 18:00 in Tokyo (UTC+9)
	});

	it("a PUT with a local time reads it in the distribution's own timeZone, not the org default", async () => {
		const { org, res: created } = await postInNewOrg("/api/v1/queues", queueRequest, "Europe/Paris");
		const res = await call(`/api/v1/queues/${created.json.id}`, {
			key: org.secretKey,
			method: "PUT",
			body: { closeAt: "2030-12-15T20:00:00" },
		});
		expect(res.status, res.text).toBe(200);
		expect(res.json.timeZone).toBe("America/New_York");
		expect(res.json.closeAt).toBe("2030-12-16T01:00:00Z");
	});
});

describe("spec: SDK Usage (the same calls as raw HTTP)", () => {
	it("create queue, list, update, create draw and auction, then delete all three", async () => {
		const org = await createOrg();
		const sequenceId = await makeSequence(org);
		const key = org.secretKey;

		// admin.queues.create({...})
		const queue = await call("/api/v1/queues", {
			key,
			body: {
				sequenceId,
				name: "Product Launch",
				openAt: "2030-12-15T09:00:00-05:00",
				closeAt: "2030-12-15T18:00:00-05:00",
				admissionRate: 100,
			},
		});
		expect(queue.status, queue.text).toBe(201);
		expect(queue.json).toMatchObject({
			sequenceId,
			name: "Product Launch",
			timeZone: "UTC",
			status: "SCHEDULED",
			openAt: "2030-12-15T14:00:00Z",
			closeAt: "2030-12-15T23:00:00Z",
			admissionRate: 100,
			maxCapacity: null,
			sessionDurationSeconds: null,
			metadata: null,
		});
		expect(Object.keys(queue.json)).toEqual(Object.keys(queueExample));

		// admin.queues.list()
		const list = await call("/api/v1/queues", { key });
		expect(list.status).toBe(200);
		expect(list.json.data.map((q: any) => q.id)).toEqual([queue.json.id]);

		// admin.queues.update(queue.id, { admissionRate: 150 })
		const updated = await call(`/api/v1/queues/${queue.json.id}`, {
			key,
			method: "PUT",
			body: { admissionRate: 150 },
		});
		expect(updated.status, updated.text).toBe(200);
		expect(updated.json.admissionRate).toBe(150);
		expect(updated.json.closeAt).toBe("2030-12-15T23:00:00Z");
		expect(updated.json.name).toBe("Product Launch");

		// admin.draws.create({...})
		const draw = await call("/api/v1/draws", {
			key,
			body: {
				sequenceId,
				name: "Holiday Raffle",
				openAt: "2030-12-01T00:00:00Z",
				closeAt: "2030-12-14T23:59:59Z",
				drawAt: "2030-12-15T12:00:00Z",
				winnerCount: 100,
			},
		});
		expect(draw.status, draw.text).toBe(201);
		expect(draw.json).toMatchObject({
			name: "Holiday Raffle",
			status: "SCHEDULED",
			openAt: "2030-12-01T00:00:00Z",
			closeAt: "2030-12-14T23:59:59Z",
			drawAt: "2030-12-15T12:00:00Z",
			winnerCount: 100,
			maxEntries: null,
		});
		expect(Object.keys(draw.json)).toEqual(Object.keys(drawExample));

		// admin.auctions.create({...})
		const auction = await call("/api/v1/auctions", {
			key,
			body: {
				sequenceId,
				name: "Rare Item Auction",
				openAt: "2030-12-10T09:00:00Z",
				closeAt: "2030-12-15T21:00:00Z",
				settleAt: "2030-12-15T21:30:00Z",
				startingBid: 100,
				minimumIncrement: 10,
			},
		});
		expect(auction.status, auction.text).toBe(201);
		expect(auction.json).toMatchObject({
			name: "Rare Item Auction",
			status: "SCHEDULED",
			openAt: "2030-12-10T09:00:00Z",
			closeAt: "2030-12-15T21:00:00Z",
			settleAt: "2030-12-15T21:30:00Z",
			startingBid: 100,
			minimumIncrement: 10,
			reservePrice: null,
			buyNowPrice: null,
		});
		expect(Object.keys(auction.json)).toEqual(Object.keys(auctionExample));
		expect(await countRows("distributions", org.organizationId)).toBe(3);

		// admin.queues.delete / draws.delete / auctions.delete
		for (const [path, id] of [
			["/api/v1/queues", queue.json.id],
			["/api/v1/draws", draw.json.id],
			["/api/v1/auctions", auction.json.id],
		]) {
			const del = await call(`${path}/${id}`, { key, method: "DELETE" });
			expect(del.status, del.text).toBe(204);
			expect((await call(`${path}/${id}`, { key })).status).toBe(404);
		}
		expect(await countRows("distributions", org.organizationId)).toBe(0);
	});
});
