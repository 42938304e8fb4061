/**
 * The allow-list of a `list` launch, through the worker: the merchant adds consumer ids and
 * emails (normalized), lists, removes one or many; a consumer gets in by id or by email and
 * nobody else does. Bad input is a 400 that stores nothing; another organization's list is a 404.
 */
import { describe, expect, it } from "vitest";
import { accessRows, allowList, enterBy, SEQ, setAccess, vouched } from "../../support/access";
import { call, countRows, guest, tenant } from "../../support/helpers";
import { allItems } from "../../support/pages";
import { expectFieldError, expectProblem } from "../../support/problems";
import { openQueue, stats } from "../../support/queue";

async function listLaunch() {
	const t = await tenant();
	await setAccess(t, "list");
	return { t, queue: await openQueue(t) };
}

describe("list", () => {
	it("lets in consumers listed by id (guests too) and by email; refuses everyone else with 403", async () => {
		const { t, queue } = await listLaunch();
		const byId = await guest(t);
		const byEmail = await vouched(t, { email: "Jane.Roe+launch@Gmail.com" });
		const outsider = await vouched(t);
		const added = await allowList(t, { consumerIds: [byId.consumerId], emails: ["janeroe@gmail.com"] });
		expect(added.status, added.text).toBe(200);
		expect(added.json.added).toBe(2);
		expect(added.json.data.map((e: { email: string | null }) => e.email).sort()).toEqual(["janeroe@gmail.com", null]);
		expect((await enterBy(t, "queue", queue.id, byId)).status).toBe(200);
		expect((await enterBy(t, "queue", queue.id, byEmail)).status).toBe(200);
		const p = expectProblem(await enterBy(t, "queue", queue.id, outsider), 403, "Not on the allow-list");
		expect(p.detail).toContain("listed");
		expectProblem(await enterBy(t, "queue", queue.id, await guest(t)), 403, "Not on the allow-list");
		expect((await stats(t, queue.id)).queued).toBe(2);
	});

	it("an email listed before its consumer exists matches the consumer given it later", async () => {
		const { t, queue } = await listLaunch();
		await allowList(t, { emails: ["later@example.com"] });
		const g = await guest(t);
		expectProblem(await enterBy(t, "queue", queue.id, g), 403, "Not on the allow-list");
		const put = await call(`/api/v1/consumers/${g.consumerId}`, {
			method: "PUT",
			key: t.secretKey,
			body: { email: "Later+x@example.com" },
		});
		expect(put.status, put.text).toBe(200);
		expect((await enterBy(t, "queue", queue.id, g)).status).toBe(200);
	});

	it("adding again is a no-op; the list paginates newest first; one mailbox is one entry", async () => {
		const { t } = await listLaunch();
		const first = await allowList(t, { emails: ["a@example.com", "A+1@example.com", "b@example.com"] });
		expect(first.json.added).toBe(2);
		const again = await allowList(t, { emails: ["b@example.com", "c@example.com"] });
		expect(again.json.added).toBe(1);
		const listed = await allItems(`${SEQ}/${t.sequenceId}/allow-list?limit=2`, t.secretKey);
		expect(listed.map((e) => e.email)).toEqual(["c@example.com", "b@example.com", "a@example.com"]);
	});

	it("removes one entry, or many by id and email; a removed consumer is refused at its next enter", async () => {
		const { t, queue } = await listLaunch();
		const [a, b, c] = [await guest(t), await vouched(t, { email: "bee@example.com" }), await guest(t)];
		const added = await allowList(t, { consumerIds: [a.consumerId, c.consumerId], emails: ["bee@example.com"] });
		expect((await enterBy(t, "queue", queue.id, a)).status).toBe(200);
		const entryOfC = added.json.data.find((e: { consumerId: string }) => e.consumerId === c.consumerId);
		const del = await call(`${SEQ}/${t.sequenceId}/allow-list/${entryOfC.id}`, { method: "DELETE", key: t.secretKey });
		expect(del.status).toBe(204);
		const gone = await call(`${SEQ}/${t.sequenceId}/allow-list/${entryOfC.id}`, { method: "DELETE", key: t.secretKey });
		expectProblem(gone, 404, "Allow-list entry not found");
		const removed = await allowList(t, { consumerIds: [a.consumerId], emails: ["BEE@example.com"] }, "remove");
		expect(removed.json).toEqual({ removed: 2 });
		for (const s of [a, b, c]) expectProblem(await enterBy(t, "queue", queue.id, s), 403, "Not on the allow-list");
		// The entry made while listed stays.
		expect((await stats(t, queue.id)).queued).toBe(1);
		expect(await countRows("allow_list_entries", t.organizationId)).toBe(0);
	});

	it.each([
		["nothing", {}, ""],
		["no consumer ids", { consumerIds: [] }, ""],
		["a bad email", { emails: ["not-an-email"] }, "emails.0"],
		["emails not a list", { emails: "a@example.com" }, "emails"],
		["a numeric consumer id", { consumerIds: [42] }, "consumerIds.0"],
		["an unknown consumer", { consumerIds: ["con_unknown"] }, "consumerIds.0"],
		["1,001 emails", { emails: Array.from({ length: 1001 }, (_, i) => `x${i}@example.com`) }, "emails"],
		["an unknown field", { ids: ["x"] }, "ids"],
	])("add %s → 400, nothing stored", async (_label, body, path) => {
		const { t } = await listLaunch();
		const res = await allowList(t, body);
		if (path) expectFieldError(res, path);
		else expectProblem(res, 400, "Validation failed");
		expect(await countRows("allow_list_entries", t.organizationId)).toBe(0);
	});

	it("a consumer id of another organization → 400, nothing stored", async () => {
		const { t } = await listLaunch();
		const other = await tenant();
		const stranger = await guest(other);
		expectFieldError(await allowList(t, { consumerIds: [stranger.consumerId] }), "consumerIds.0");
		expect(await accessRows("allow_list_entries", t.organizationId)).toEqual([]);
	});

	it("another organization's allow-list is 404 to every route", async () => {
		const { t } = await listLaunch();
		const b = await tenant();
		const added = await allowList(t, { emails: ["x@example.com"] });
		const base = `${SEQ}/${t.sequenceId}/allow-list`;
		expectProblem(await call(base, { key: b.secretKey }), 404, "Sequence not found");
		expectProblem(
			await call(base, { key: b.secretKey, body: { emails: ["y@example.com"] } }),
			404,
			"Sequence not found",
		);
		expectProblem(await call(`${base}/remove`, { key: b.secretKey, body: { emails: ["x@example.com"] } }), 404);
		const del = await call(`${base}/${added.json.data[0].id}`, { method: "DELETE", key: b.secretKey });
		expectProblem(del, 404, "Sequence not found");
		const own = await call(`${SEQ}/${b.sequenceId}/allow-list/${added.json.data[0].id}`, {
			method: "DELETE",
			key: b.secretKey,
		});
		expectProblem(own, 404, "Allow-list entry not found");
		expect(await countRows("allow_list_entries", t.organizationId)).toBe(1);
	});
});
