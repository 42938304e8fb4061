// `npm run dev` must not talk to a server it did not start. Plain node:test (run by
// `npm run test:node`): the check binds real ports, which the workerd test pool cannot.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { assertPortFree } from "../../scripts/dev.mjs";

const SCRIPT = fileURLToPath(new URL("../../scripts/dev.mjs", import.meta.url));

/** A stranger on 127.0.0.1 that records every request it receives. */
async function stranger() {
	const seen = [];
	const server = createServer((req, res) => {
		seen.push({ url: req.url, authorization: req.headers.authorization });
		res.end('{"status":"ok"}');
	});
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	return { server, seen, port: server.address().port };
}

test("assertPortFree rejects a taken port, naming it, and resolves once it is free", async () => {
	const { server, port } = await stranger();
	await assert.rejects(assertPortFree(port), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
	server.close();
	await once(server, "close");
	await assertPortFree(port);
});

test("npm run dev with its port taken exits non-zero before doing anything, and sends the stranger nothing", async () => {
	const { server, seen, port } = await stranger();
	try {
		// A cwd without .dev.vars: had the script gone on, it would have created one there.
		const cwd = fileURLToPath(new URL(".", import.meta.url));
		const child = spawn(process.execPath, [SCRIPT], { cwd, env: { ...process.env, PORT: String(port) } });
		let output = "";
		for (const stream of [child.stdout, child.stderr]) stream.on("data", (d) => (output += d));
		const [code] = await once(child, "exit");
		assert.notEqual(code, 0);
		assert.match(output, /already in use/);
		assert.doesNotMatch(output, /running/);
		assert.deepEqual(seen, []);
	} finally {
		server.close();
	}
});
