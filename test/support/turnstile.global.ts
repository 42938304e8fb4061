/**
 * A local Cloudflare Turnstile siteverify for the test run (vitest globalSetup, in Node): the
 * worker's fetch() reaches it over the network (TURNSTILE_VERIFY_URL, vitest.config.ts), nothing
 * is mocked. It speaks siteverify's documented protocol — POST form (or JSON) `secret`, `response`,
 * `remoteip`, `idempotency_key`; answer `{success, challenge_ts, hostname, action, cdata,
 * "error-codes"}` — and behaves like Cloudflare for:
 *
 *  - the published test secret keys, with the dummy token `XXXX.DUMMY.TOKEN.XXXX` (any other token
 *    is `invalid-input-response`, as test keys accept only the dummy token):
 *      1x0000000000000000000000000000000AA  always passes (hostname example.com, no action)
 *      2x0000000000000000000000000000000AA  always fails: invalid-input-response
 *      3x0000000000000000000000000000000AA  always fails: timeout-or-duplicate
 *  - "real" secrets (any other `0x…`): tokens minted for that secret by POST /mint
 *    {secret, hostname?, action?} → {token}; each passes once, for its own secret only — again,
 *    or under another secret, it is `timeout-or-duplicate` / `invalid-input-response`.
 *  - no `response` → missing-input-response; no `secret` → missing-input-secret; a secret that is
 *    neither → invalid-input-secret.
 *  - failure modes, by secret: `0xDOWN…` drops the connection (a network failure), `0xERROR…`
 *    answers 500, `0xGARBAGE…` answers 200 with HTML.
 *
 * GET /requests?response=<token> lists the forms siteverify received with that token.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
const TEST_SECRETS: Record<string, string | null> = {
	"1x0000000000000000000000000000000AA": null,
	"2x0000000000000000000000000000000AA": "invalid-input-response",
	"3x0000000000000000000000000000000AA": "timeout-or-duplicate",
};

interface Minted {
	secret: string;
	hostname: string;
	action: string;
	used: boolean;
}

export default async function setup(project: TestProject) {
	const minted = new Map<string, Minted>();
	const received: Record<string, string>[] = [];

	const answer = (form: Record<string, string>) => {
		const fail = (code: string) => ({ success: false, "error-codes": [code], messages: [] });
		const { secret, response } = form;
		if (!secret) return fail("missing-input-secret");
		if (!response) return fail("missing-input-response");
		const pass = (hostname: string, action: string) => ({
			success: true,
			challenge_ts: new Date().toISOString(),
			hostname,
			"error-codes": [],
			action,
			cdata: "",
			metadata: { interactive: false },
		});
		if (secret in TEST_SECRETS) {
			if (response !== DUMMY_TOKEN) return fail("invalid-input-response");
			const code = TEST_SECRETS[secret];
			return code ? fail(code) : pass("example.com", "");
		}
		if (!/^0x[A-Za-z0-9_-]{8,}$/.test(secret)) return fail("invalid-input-secret");
		const token = minted.get(response);
		if (!token || token.secret !== secret) return fail("invalid-input-response");
		if (token.used) return fail("timeout-or-duplicate");
		token.used = true;
		return pass(token.hostname, token.action);
	};

	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const text = Buffer.concat(chunks).toString("utf8");
		const url = new URL(req.url ?? "/", "http://localhost");
		const json = (status: number, body: unknown) =>
			res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
		if (req.method === "POST" && url.pathname === "/mint") {
			const body = JSON.parse(text) as { secret: string; hostname?: string; action?: string };
			const token = `0.${randomBytes(48).toString("base64url")}`;
			minted.set(token, {
				secret: body.secret,
				hostname: body.hostname ?? "shop.example.com",
				action: body.action ?? "",
				used: false,
			});
			return json(200, { token });
		}
		if (req.method === "GET" && url.pathname === "/requests") {
			return json(
				200,
				received.filter((r) => r.response === url.searchParams.get("response")),
			);
		}
		if (req.method === "POST" && url.pathname === "/turnstile/v0/siteverify") {
			const type = req.headers["content-type"] ?? "";
			const form: Record<string, string> = type.includes("json")
				? (JSON.parse(text) as Record<string, string>)
				: Object.fromEntries(new URLSearchParams(text));
			received.push(form);
			if (form.secret?.startsWith("0xDOWN")) return req.socket.destroy();
			if (form.secret?.startsWith("0xERROR")) return res.writeHead(500).end("internal");
			if (form.secret?.startsWith("0xGARBAGE")) return res.writeHead(200).end("<html>oops</html>");
			return json(200, answer(form));
		}
		res.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	project.provide("turnstileUrl", url);
	return () => {
		server.closeAllConnections();
		return new Promise<void>((resolve) => server.close(() => resolve()));
	};
}
