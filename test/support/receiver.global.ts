/**
 * A real HTTP webhook receiver on loopback for the test run (vitest globalSetup, in
 * Node): the worker's fetch() reaches it over the network, nothing is mocked.
 * POST /hooks/:name?fail=N answers 500 to the first N requests for that name, then 200.
 * POST /hooks/:name?redirect=1 answers 302 to /hooks/:name-target (which a webhook must not follow).
 * GET /hooks/:name lists what arrived: [{headers, body, status}].
 *
 * It also stands in for a DNS-over-HTTPS resolver (Cloudflare's JSON API,
 * GET /dns-query?name=&type=A|AAAA): the names in DNS answer as listed, `nx.dns.test` does not
 * exist, `servfail.dns.test` fails, and any other name resolves to a public address.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

const A = 1;
const AAAA = 28;
const CNAME = 5;
/** name → [type, data][]: what the DNS stand-in answers. */
const DNS: Record<string, [number, string][]> = {
	"loopback.dns.test": [[A, "127.0.0.1"]],
	"private.dns.test": [[A, "10.1.2.3"]],
	"cgnat.dns.test": [[A, "100.64.0.1"]],
	"metadata.dns.test": [[A, "169.254.169.254"]],
	"ula.dns.test": [[AAAA, "fd12:3456::1"]],
	"mapped.dns.test": [[AAAA, "::ffff:192.168.0.1"]],
	"linklocal6.dns.test": [[AAAA, "fe80::1"]],
	// One public and one private address: refused, whichever the connection would pick.
	"mixed.dns.test": [
		[A, "93.184.215.14"],
		[A, "192.168.1.1"],
	],
	"cname.dns.test": [
		[CNAME, "internal.dns.test."],
		[A, "172.16.5.4"],
	],
	"public.dns.test": [
		[A, "93.184.215.14"],
		[AAAA, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
	],
};

function dnsAnswer(name: string, type: string) {
	const host = name.toLowerCase().replace(/\.$/, "");
	if (host === "servfail.dns.test") return { Status: 2 };
	if (host === "nx.dns.test") return { Status: 3 };
	const records = DNS[host] ?? [
		[A, "93.184.215.14"],
		[AAAA, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
	];
	const wanted = type === "AAAA" ? AAAA : A;
	const answer = records
		.filter(([t]) => t === wanted || t === CNAME)
		.map(([t, data]) => ({ name: host, type: t, TTL: 60, data }));
	return { Status: 0, Answer: answer };
}

export default async function setup(project: TestProject) {
	const received = new Map<string, { headers: Record<string, string>; body: string; status: number }[]>();
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://receiver");
		if (url.pathname === "/dns-query") {
			const answer = dnsAnswer(url.searchParams.get("name") ?? "", url.searchParams.get("type") ?? "A");
			res.writeHead(200, { "Content-Type": "application/dns-json" }).end(JSON.stringify(answer));
			return;
		}
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
			if (url.searchParams.get("redirect")) {
				list.push({ headers: {}, body, status: 302 });
				res.writeHead(302, { Location: `/hooks/${name}-target` }).end();
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
