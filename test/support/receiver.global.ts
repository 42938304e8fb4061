/**
 * A real HTTP webhook receiver on loopback for the test run (vitest globalSetup, in
 * Node): the worker's fetch() reaches it over the network, nothing is mocked.
 * POST /hooks/:name?fail=N answers 500 to the first N requests for that name, then 200.
 * GET /hooks/:name lists what arrived: [{headers, body, status}].
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject) {
	const received = new Map<string, { headers: Record<string, string>; body: string; status: number }[]>();
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://receiver");
		const name = url.pathname.replace(/^\/hooks\//, "");
		let body = "";
		req.on("data", (chunk) => {
			body += chunk;
		});
		req.on("end", () => {
			const list = received.get(name) ?? [];
			received.set(name, list);
			if (req.method === "GET") {
				res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(list));
				return;
			}
			const failures = Number(url.searchParams.get("fail") ?? 0);
			const status = list.filter((r) => r.status >= 500).length < failures ? 500 : 200;
			list.push({
				headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
				body,
				status,
			});
			res.writeHead(status).end(status === 200 ? "ok" : "try again");
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	project.provide("receiverUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
