/** The merchant console in workerd: sign-in, the session's guards (cookie, Origin, CSRF, revocation) and tenant isolation. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, call, createOrg, type TestOrg } from "../support/helpers";

const ORIGIN = BASE;

async function request(
	path: string,
	init: {
		method?: string;
		form?: Record<string, string>;
		cookie?: string | null;
		origin?: string | null;
		base?: string;
	} = {},
) {
	const headers = new Headers();
	if (init.cookie) headers.set("Cookie", init.cookie);
	if (init.origin !== null) headers.set("Origin", init.origin ?? ORIGIN);
	let body: string | undefined;
	if (init.form) {
		body = new URLSearchParams(init.form).toString();
		headers.set("Content-Type", "application/x-www-form-urlencoded");
	}
	const res = await exports.default.fetch(
		new Request(`${init.base ?? BASE}${path}`, {
			method: init.method ?? (body ? "POST" : "GET"),
			headers,
			body,
			redirect: "manual",
		}),
	);
	return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Signs in with the key: the cookie to send back and the page's CSRF token. */
async function signIn(key: string) {
	const res = await request("/console/session", { form: { key } });
	expect(res.status, res.text).toBe(303);
	const setCookie = res.headers.get("Set-Cookie") ?? "";
	const cookie = setCookie.split(";")[0];
	const page = await request("/console/settings/api-keys", { cookie });
	expect(page.status, page.text).toBe(200);
	const csrf = /name="_csrf" value="([0-9a-f]{64})"/.exec(page.text)?.[1] ?? "";
	return { setCookie, cookie, csrf };
}

describe("console sign-in", () => {
	it("sets an HttpOnly, Secure, SameSite=Strict __Host- cookie and never echoes the key", async () => {
		const org = await createOrg();
		const { setCookie, cookie } = await signIn(org.secretKey);
		expect(setCookie).toMatch(/^__Host-fanfare_console=/);
		expect(setCookie).toMatch(/HttpOnly/);
		expect(setCookie).toMatch(/Secure/);
		expect(setCookie).toMatch(/SameSite=Strict/);
		expect(setCookie).not.toMatch(/Max-Age|Expires/);
		const page = await request("/console/experiences", { cookie });
		expect(page.status).toBe(200);
		expect(page.text).not.toContain(org.secretKey);
		expect(page.text).not.toMatch(/sk_live_[A-Za-z0-9]{32}/);
		expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
		expect(page.headers.get("Cache-Control")).toBe("no-store");
		// Only the hash is stored.
		const rows = await env.DB.prepare("SELECT token_hash FROM console_sessions WHERE organization_id = ?")
			.bind(org.organizationId)
			.all<{ token_hash: string }>();
		expect(rows.results).toHaveLength(1);
		expect(rows.results[0].token_hash).not.toContain(cookie.split("=")[1]);
	});

	it.each([
		["garbage", "not-a-key"],
		["an unknown key", `sk_live_${"A".repeat(32)}`],
	])("answers 401 with the sign-in page for %s, and stores nothing", async (_what, key) => {
		const res = await request("/console/session", { form: { key } });
		expect(res.status).toBe(401);
		expect(res.text).toContain("Sign in");
		expect(res.headers.get("Set-Cookie")).toBeNull();
	});

	it("over plain http sends a page to https and refuses a post before reading it; https answers carry HSTS", async () => {
		const org = await createOrg();
		const http = "http://fanfare.test";
		const page = await request("/console/sign-in?next=%2Fconsole%2Fexperiences", { base: http });
		// Before, the form itself was served over http, so the browser then posted the key in the clear.
		expect(page.status).toBe(308);
		expect(page.headers.get("Location")).toBe("https://fanfare.test/console/sign-in?next=%2Fconsole%2Fexperiences");
		expect(page.text).not.toContain("<form");
		const post = await request("/console/session", { base: http, origin: http, form: { key: org.secretKey } });
		expect(post.status).toBe(400);
		expect(post.headers.get("Set-Cookie")).toBeNull();
		// A cookie sent over http opens nothing either.
		const { cookie } = await signIn(org.secretKey);
		const plain = await request("/console/experiences", {
			base: http,
			cookie: `fanfare_console=${cookie.split("=")[1]}`,
		});
		expect(plain.status).toBe(308);
		expect((await request("/console/sign-in")).headers.get("Strict-Transport-Security")).toBe("max-age=31536000");
		// Local development (loopback) stays on http, without HSTS.
		const local = await request("/console/sign-in", { base: "http://localhost:8787" });
		expect(local.status).toBe(200);
		expect(local.headers.get("Strict-Transport-Security")).toBeNull();
	});

	it("refuses a publishable key with 401", async () => {
		const org = await createOrg();
		const res = await request("/console/session", { form: { key: org.publishableKey } });
		expect(res.status).toBe(401);
		expect(res.text).not.toContain(org.publishableKey);
	});

	it("refuses a sign-in posted from another origin or without Origin (login CSRF)", async () => {
		const org = await createOrg();
		for (const origin of ["https://evil.example", null]) {
			const res = await request("/console/session", { form: { key: org.secretKey }, origin });
			expect(res.status).toBe(403);
			expect(res.headers.get("Set-Cookie")).toBeNull();
		}
	});

	it("redirects to sign-in without a cookie, or with a forged one", async () => {
		for (const cookie of [null, `__Host-fanfare_console=${"x".repeat(43)}`]) {
			const res = await request("/console/experiences", { cookie });
			expect(res.status).toBe(303);
			expect(res.headers.get("Location")).toBe("/console/sign-in?next=%2Fconsole%2Fexperiences");
		}
		const json = await request("/console/distributions/queue_x/live.json");
		expect(json.status).toBe(401);
		expect(json.headers.get("Content-Type")).toContain("application/problem+json");
	});

	it("never redirects after sign-in to another site", async () => {
		const org = await createOrg();
		const res = await request("/console/session", { form: { key: org.secretKey, next: "//evil.example/x" } });
		expect(res.headers.get("Location")).toBe("/console");
	});

	it("signs out: the session is deleted server-side", async () => {
		const org = await createOrg();
		const { cookie, csrf } = await signIn(org.secretKey);
		const out = await request("/console/session/delete", { cookie, form: { _csrf: csrf } });
		expect(out.status).toBe(303);
		expect((await request("/console/experiences", { cookie })).status).toBe(303);
	});
});

describe("console guards", () => {
	let org: TestOrg;
	let session: Awaited<ReturnType<typeof signIn>>;

	it("refuses a cross-origin POST, and a POST without the CSRF token, storing nothing", async () => {
		org = await createOrg();
		session = await signIn(org.secretKey);
		const form = { _csrf: session.csrf, name: "Evil" };
		const cross = await request("/console/experiences", {
			cookie: session.cookie,
			form,
			origin: "https://evil.example",
		});
		expect(cross.status).toBe(403);
		const noToken = await request("/console/experiences", { cookie: session.cookie, form: { name: "Evil" } });
		expect(noToken.status).toBe(403);
		const wrong = await request("/console/experiences", {
			cookie: session.cookie,
			form: { name: "Evil", _csrf: "0".repeat(64) },
		});
		expect(wrong.status).toBe(403);
		const list = await call("/api/v1/experiences", { key: org.secretKey });
		expect(list.json.data).toHaveLength(0);
	});

	it("creates an experience, a sequence and a queue from its template, in the experience's time zone", async () => {
		org = await createOrg();
		session = await signIn(org.secretKey);
		const exp = await request("/console/experiences", {
			cookie: session.cookie,
			form: { _csrf: session.csrf, name: "Launch", timeZone: "America/New_York" },
		});
		expect(exp.status, exp.text).toBe(303);
		const expId = exp.headers.get("Location")?.split("/").pop() ?? "";
		const seq = await request(`/console/experiences/${expId}/sequences`, {
			cookie: session.cookie,
			form: { _csrf: session.csrf, name: "Main", priority: "0" },
		});
		expect(seq.status, seq.text).toBe(303);
		const seqId = seq.headers.get("Location")?.split("/").pop() ?? "";
		const q = await request(`/console/sequences/${seqId}/distributions`, {
			cookie: session.cookie,
			form: {
				_csrf: session.csrf,
				type: "queue",
				name: "Launch Day Queue",
				openAt: "2030-12-15T09:00",
				closeAt: "2030-12-15T18:00",
				maxCapacity: "10000",
				admissionRate: "100",
				sessionDurationSeconds: "900",
			},
		});
		expect(q.status, q.text).toBe(303);
		const queueId = q.headers.get("Location")?.split("/").pop() ?? "";
		const api = await call(`/api/v1/queues/${queueId}`, { key: org.secretKey });
		expect(api.json).toMatchObject({
			name: "Launch Day Queue",
			timeZone: "America/New_York",
			openAt: "2030-12-15T14:00:00Z",
			closeAt: "2030-12-15T23:00:00Z",
			maxCapacity: 10000,
			admissionRate: 100,
		});
		// The page gives the copy-paste widget snippet and the hosted page's link (no key: they are stored hashed).
		const detail = await request(`/console/distributions/${queueId}`, { cookie: session.cookie });
		expect(detail.text).toContain(
			`&lt;fanfare-queue distribution=&quot;${queueId}&quot; publishable-key=&quot;pk_live_…&quot;`,
		);
		expect(detail.text).toContain(`${BASE}/w/${queueId}?key=pk_live_…`);
		// Open now, then the live JSON counts it, and the outflow control changes the rate.
		expect(
			(
				await request(`/console/distributions/${queueId}/open`, {
					cookie: session.cookie,
					form: { _csrf: session.csrf },
				})
			).status,
		).toBe(303);
		const live = await request(`/console/distributions/${queueId}/live.json`, { cookie: session.cookie });
		expect(JSON.parse(live.text)).toMatchObject({
			type: "queue",
			distribution: { status: "OPEN" },
			stats: { queued: 0 },
		});
		const rate = await request(`/console/distributions/${queueId}/rate`, {
			cookie: session.cookie,
			form: { _csrf: session.csrf, admissionRate: "250" },
		});
		expect(rate.status).toBe(303);
		expect((await call(`/api/v1/queues/${queueId}`, { key: org.secretKey })).json.admissionRate).toBe(250);
	});

	it("answers a bad form with 400 listing the field, storing nothing", async () => {
		org = await createOrg();
		session = await signIn(org.secretKey);
		const res = await request("/console/experiences", {
			cookie: session.cookie,
			form: { _csrf: session.csrf, name: "X", timeZone: "Mars/Base" },
		});
		expect(res.status).toBe(400);
		expect(res.text).toContain("timeZone");
		expect((await call("/api/v1/experiences", { key: org.secretKey })).json.data).toHaveLength(0);
	});

	it("edits the hosted page's look of an experience; a bad colour is a 400 that stores nothing", async () => {
		org = await createOrg();
		session = await signIn(org.secretKey);
		const exp = await call("/api/v1/experiences", {
			key: org.secretKey,
			body: { name: "Look", theme: { translations: { de: { headline: "Hallo" } } } },
		});
		const form = (fields: Record<string, string>) =>
			request(`/console/experiences/${exp.json.id}/theme`, {
				cookie: session.cookie,
				form: { _csrf: session.csrf, ...fields },
			});
		const bad = await form({ primaryColor: "red" });
		expect(bad.status).toBe(400);
		expect(bad.text).toContain("theme.primaryColor");
		expect((await call(`/api/v1/experiences/${exp.json.id}`, { key: org.secretKey })).json.theme).toEqual({
			translations: { de: { headline: "Hallo" } },
		});
		const saved = await form({ primaryColor: "#aa0033", headline: " Spring Drop ", logoUrl: "" });
		expect(saved.status, saved.text).toBe(303);
		const stored = await call(`/api/v1/experiences/${exp.json.id}`, { key: org.secretKey });
		expect(stored.json.theme).toEqual({
			primaryColor: "#aa0033",
			headline: "Spring Drop",
			translations: { de: { headline: "Hallo" } },
		});
		const pageHtml = await request(`/console/experiences/${exp.json.id}`, { cookie: session.cookie });
		expect(pageHtml.text).toContain('id="theme-primaryColor" name="primaryColor" type="text" value="#aa0033"');
		const other = await createOrg();
		const otherSession = await signIn(other.secretKey);
		const foreign = await request(`/console/experiences/${exp.json.id}/theme`, {
			cookie: otherSession.cookie,
			form: { _csrf: otherSession.csrf, primaryColor: "#000000" },
		});
		expect(foreign.status).toBe(404);
	});

	it("shows another organization's resources as 404", async () => {
		const other = await createOrg();
		const exp = await call("/api/v1/experiences", { key: other.secretKey, body: { name: "Theirs" } });
		const seq = await call(`/api/v1/experiences/${exp.json.id}/sequences`, {
			key: other.secretKey,
			body: { name: "S" },
		});
		const queue = await call("/api/v1/queues", { key: other.secretKey, body: { sequenceId: seq.json.id } });
		org = await createOrg();
		session = await signIn(org.secretKey);
		for (const path of [
			`/console/experiences/${exp.json.id}`,
			`/console/sequences/${seq.json.id}`,
			`/console/distributions/${queue.json.id}`,
			`/console/distributions/${queue.json.id}/live`,
			`/console/distributions/${queue.json.id}/live.json`,
		]) {
			expect((await request(path, { cookie: session.cookie })).status, path).toBe(404);
		}
		const write = await request(`/console/distributions/${queue.json.id}/open`, {
			cookie: session.cookie,
			form: { _csrf: session.csrf },
		});
		expect(write.status).toBe(404);
		const key = await request(`/console/settings/api-keys/${other.secretKey}/revoke`, {
			cookie: session.cookie,
			form: { _csrf: session.csrf },
		});
		expect(key.status).toBe(404);
	});

	it("creates a key shown once, and revoking the session's key ends the session", async () => {
		org = await createOrg();
		session = await signIn(org.secretKey);
		const created = await request("/console/settings/api-keys", {
			cookie: session.cookie,
			form: { _csrf: session.csrf, name: "Second", type: "secret" },
		});
		expect(created.status).toBe(201);
		const key = /value="(sk_live_[A-Za-z0-9]{32})"/.exec(created.text)?.[1] ?? "";
		expect(key).not.toBe("");
		expect(created.headers.get("Cache-Control")).toBe("no-store");
		const list = await request("/console/settings/api-keys", { cookie: session.cookie });
		expect(list.text).not.toContain(key);
		// A second session with the new key revokes the first key: the first session is dead at once.
		const second = await signIn(key);
		const firstKeyId = (await call("/api/v1/api-keys", { key })).json.data.find(
			(k: any) => k.name !== "Second" && k.type === "secret",
		).id;
		const revoked = await request(`/console/settings/api-keys/${firstKeyId}/revoke`, {
			cookie: second.cookie,
			form: { _csrf: second.csrf },
		});
		expect(revoked.status, revoked.text).toBe(303);
		expect((await request("/console/experiences", { cookie: session.cookie })).status).toBe(303);
		expect((await request("/console/experiences", { cookie: second.cookie })).status).toBe(200);
	});

	it("applies the key's scopes like the API: a read-only key sees pages but cannot write", async () => {
		org = await createOrg();
		const ro = await call("/api/v1/api-keys", {
			key: org.secretKey,
			body: { type: "secret", name: "RO", scopes: ["read"] },
		});
		const s = await signIn(ro.json.key);
		expect((await request("/console/experiences", { cookie: s.cookie })).status).toBe(200);
		const write = await request("/console/experiences", { cookie: s.cookie, form: { _csrf: s.csrf, name: "No" } });
		expect(write.status).toBe(403);
		const key = await request("/console/settings/api-keys", {
			cookie: s.cookie,
			form: { _csrf: s.csrf, name: "K", type: "publishable" },
		});
		expect(key.status).toBe(403);
	});
});
