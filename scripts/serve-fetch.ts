/**
 * Serves a web `fetch(request) → Response` handler with node:http, on loopback by default: how
 * the dev beacon (src/distributions/draw/dev-beacon.ts) runs outside workerd, in
 * scripts/dev-beacon.ts and the tests' globalSetup. Resolves to the server and its base URL.
 * Request bodies are not forwarded: the handlers it serves answer GET and HEAD only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export async function serveFetch(
	handler: FetchHandler,
	{ port = 0, host = "127.0.0.1" }: { port?: number; host?: string } = {},
): Promise<{ server: Server; url: string }> {
	const server = createServer(async (req, res) => {
		try {
			const headers = new Headers();
			for (const [name, value] of Object.entries(req.headers)) {
				if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
			}
			const response = await handler(new Request(`http://${host}${req.url ?? "/"}`, { method: req.method, headers }));
			res.writeHead(response.status, Object.fromEntries(response.headers));
			res.end(req.method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()));
		} catch (error) {
			res.writeHead(500).end(String((error as Error)?.message ?? error));
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, host, () => resolve());
	});
	return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}
