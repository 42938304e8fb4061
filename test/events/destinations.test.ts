/**
 * Where webhooks may go (src/events/webhooks/destination.ts). The tests run as local
 * development (ALLOW_PRIVATE_WEBHOOKS=true, so the other suites can deliver to the loopback
 * receiver); here the production rule is proven by calling the real worker with that flag off.
 * Its DNS lookups go to the receiver's DNS-over-HTTPS stand-in (test/support/receiver.global.ts),
 * where `*.dns.test` names resolve to the addresses listed there.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addressClass } from "../../src/events/webhooks/addresses";
import { policyOf, urlRefusal } from "../../src/events/webhooks/destination";
import worker from "../../src/worker";
import { BASE, countRows, createOrg, type TestOrg } from "../support/helpers";
import { expectFieldError, expectProblem } from "../support/problems";
import { EP } from "../support/webhooks";

const prod = { ...env, ALLOW_PRIVATE_WEBHOOKS: "false" } as Env;

/** A request through the real worker with the production webhook rule. */
async function prodCall(path: string, key: string, body: unknown, method = "POST") {
	const ctx = createExecutionContext();
	const res = await worker.fetch(
		new Request(`${BASE}${path}`, {
			method,
			headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
			body: JSON.stringify(body),
		}),
		prod,
		ctx,
	);
	await waitOnExecutionContext(ctx);
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

const register = (org: TestOrg, url: string) => prodCall(EP, org.secretKey, { url, events: ["*"] });

/** Each class of destination the production rule refuses, with a URL of it. */
const REFUSED: [string, string][] = [
	["http on a public host", "http://hooks.example.com/h"],
	["IPv4 loopback", "https://127.0.0.1/h"],
	["IPv4 loopback elsewhere in 127/8", "https://127.9.9.9:8443/h"],
	["IPv6 loopback", "https://[::1]/h"],
	["localhost", "https://localhost/h"],
	["localhost with a trailing dot", "https://localhost./h"],
	["a *.localhost name", "https://api.localhost/h"],
	["private 10/8", "https://10.0.0.1/h"],
	["private 172.16/12 (low end)", "https://172.16.0.1/h"],
	["private 172.16/12 (high end)", "https://172.31.255.255/h"],
	["private 192.168/16", "https://192.168.1.1/h"],
	["link-local 169.254/16", "https://169.254.1.1/h"],
	["IPv6 link-local fe80::/10", "https://[fe80::1]/h"],
	["CGNAT 100.64/10 (low end)", "https://100.64.0.1/h"],
	["CGNAT 100.64/10 (high end)", "https://100.127.255.254/h"],
	["ULA fc00::/7 (fc)", "https://[fc00::1]/h"],
	["ULA fc00::/7 (fd)", "https://[fd12:3456::1]/h"],
	["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/h"],
	["IPv4-mapped private", "https://[::ffff:10.0.0.1]/h"],
	["IPv4-mapped public (never a real destination)", "https://[::ffff:8.8.8.8]/h"],
	["NAT64 of a private address", "https://[64:ff9b::a00:1]/h"],
	["6to4 of loopback", "https://[2002:7f00:1::1]/h"],
	["IPv4 unspecified", "https://0.0.0.0/h"],
	["IPv6 unspecified", "https://[::]/h"],
	["IPv4 multicast", "https://224.0.0.1/h"],
	["IPv6 multicast", "https://[ff02::1]/h"],
	["broadcast", "https://255.255.255.255/h"],
	["AWS/GCP/Azure metadata", "https://169.254.169.254/latest/meta-data/"],
	["AWS IPv6 metadata", "https://[fd00:ec2::254]/latest/meta-data/"],
	["GCP metadata name", "https://metadata.google.internal/computeMetadata/v1/"],
	["GCP metadata name, trailing dot, upper case", "https://METADATA.google.internal./x"],
	["decimal IPv4 (127.0.0.1)", "https://2130706433/h"],
	["hex IPv4 (127.0.0.1)", "https://0x7f000001/h"],
	["octal IPv4 (127.0.0.1)", "https://0177.0.0.1/h"],
	["short IPv4 (127.1)", "https://127.1/h"],
	["mixed hex dotted IPv4", "https://0x7f.0.0.1/h"],
	["hex metadata address", "https://0xa9fea9fe/h"],
	["single-label name", "https://intranet/h"],
	["a .local name", "https://printer.local/h"],
	["a .internal name", "https://db.internal/h"],
	["this deployment's own hostname", `${BASE}/hooks`],
	["own hostname, other case and trailing dot", "https://FANFARE.test./hooks"],
	["a name resolving to loopback", "https://loopback.dns.test/h"],
	["a name resolving to a private address", "https://private.dns.test/h"],
	["a name resolving to CGNAT", "https://cgnat.dns.test/h"],
	["a name resolving to metadata", "https://metadata.dns.test/h"],
	["a name resolving to ULA", "https://ula.dns.test/h"],
	["a name resolving to IPv4-mapped", "https://mapped.dns.test/h"],
	["a name resolving to IPv6 link-local", "https://linklocal6.dns.test/h"],
	["a name with one public and one private address", "https://mixed.dns.test/h"],
	["a CNAME to a private address", "https://cname.dns.test/h"],
	["a name that does not resolve", "https://nx.dns.test/h"],
	["an empty label", "https://a..example.com/h"],
	["a label starting with a hyphen", "https://-bad-.example.com/h"],
	["a label of 64 characters", `https://${"a".repeat(64)}.example.com/h`],
	["an underscore in a host name", "https://my_hook.example.com/h"],
];

describe("webhook destinations: the production rule", () => {
	it.each(REFUSED)("refuses %s → 400 naming url, nothing stored", async (_label, url) => {
		const org = await createOrg();
		const res = await register(org, url);
		const problem = expectFieldError(res, "url");
		expect(problem.errors?.[0].message.length).toBeGreaterThan(10);
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(0);
	});

	it.each([
		"https://hooks.example.com/h",
		"https://public.dns.test:8443/fanfare?x=1",
		"https://93.184.215.14/h",
		"https://[2606:4700:4700::1111]/h",
		"https://api.fanfare.test/h", // another host under the same domain is not this deployment
	])("accepts %s", async (url) => {
		const org = await createOrg();
		const res = await register(org, url);
		expect(res.status, res.text).toBe(201);
		expect(res.json.url).toBe(url);
	});

	it("PUT checks a new url the same way and changes nothing when refused", async () => {
		const org = await createOrg();
		const created = await register(org, "https://hooks.example.com/h");
		expect(created.status, created.text).toBe(201);
		for (const url of ["https://10.0.0.1/h", "https://private.dns.test/h", "http://hooks.example.com/h"]) {
			const res = await prodCall(`${EP}/${created.json.id}`, org.secretKey, { url }, "PUT");
			expectFieldError(res, "url");
		}
		const row = await env.DB.prepare("SELECT url FROM webhook_endpoints WHERE id = ?")
			.bind(created.json.id)
			.first<{ url: string }>();
		expect(row?.url).toBe("https://hooks.example.com/h");
	});

	it("a failing resolver (SERVFAIL) is a 503, not a guess either way; nothing stored", async () => {
		const org = await createOrg();
		const res = await register(org, "https://servfail.dns.test/h");
		expectProblem(res, 503);
		expect(res.json.errors[0].path).toBe("url");
		expect(await countRows("webhook_endpoints", org.organizationId)).toBe(0);
	});

	it("local development allows loopback and private receivers, over http too, but never metadata", () => {
		const dev = policyOf({ ALLOW_PRIVATE_WEBHOOKS: "true" }, "fanfare.test");
		for (const url of ["http://127.0.0.1:8080/h", "http://localhost:3000/h", "https://10.0.0.1/h", "http://[::1]/h"]) {
			expect(urlRefusal(url, dev), url).toBeNull();
		}
		expect(urlRefusal("https://hooks.example.com/h", dev)).toBeNull();
		expect(urlRefusal("http://hooks.example.com/h", dev)).toMatch(/https/);
		expect(urlRefusal("http://169.254.169.254/", dev)).toMatch(/metadata/);
		expect(urlRefusal("http://metadata.google.internal/", dev)).toMatch(/metadata/);
	});
});

describe("address classes (pure)", () => {
	it.each([
		["127.0.0.1", "loopback"],
		["10.255.255.255", "private"],
		["172.15.0.1", null],
		["172.32.0.1", null],
		["100.63.255.255", null],
		["100.128.0.0", null],
		["169.254.169.254", "cloud metadata"],
		["8.8.8.8", null],
		["::1", "loopback"],
		["::ffff:1.2.3.4", "IPv4-mapped"],
		["::ffff:102:304", "IPv4-mapped"],
		["fd00:ec2::254", "cloud metadata"],
		["fe80::abcd", "link-local"],
		["febf::1", "link-local"],
		["fec0::1", "site-local"],
		["fbff::1", "reserved"],
		["2001:db8::1", "reserved"],
		["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel"],
		["2606:4700::1111", null],
		["64:ff9b::808:808", null],
	])("%s → %s", (address, expected) => {
		expect(addressClass(address)).toBe(expected);
	});

	it("anything that is not an address is undefined (a name)", () => {
		for (const text of ["example.com", "1.2.3", "1.2.3.256", "1:2:3", ":::", "1::2::3", "g::1"]) {
			expect(addressClass(text), text).toBeUndefined();
		}
	});
});
