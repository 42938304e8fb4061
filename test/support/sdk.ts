/** Shared by the SDK suites: the SDK pointed at the real worker through its injectable fetch. */
import { exports } from "cloudflare:workers";
import { FanfareAdmin, FanfareConsumer, type FetchLike, type WebSocketFactory } from "../../src/sdk";
import { BASE, createOrg, type TestOrg } from "./helpers";

/** The worker itself, as the SDK's `fetch`. */
export const workerFetch: FetchLike = (input, init) => exports.default.fetch(new Request(input, init));

/** WebSockets to the worker: the upgrade goes through its fetch, the client end is accepted here. */
export const workerWebSocket: WebSocketFactory = async (url) => {
	const res = await exports.default.fetch(
		new Request(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" } }),
	);
	if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
	res.webSocket.accept();
	return res.webSocket;
};

export interface SdkTenant extends TestOrg {
	admin: FanfareAdmin;
	experienceId: string;
	sequenceId: string;
	consumer: () => FanfareConsumer;
}

export function adminFor(org: TestOrg, options: Partial<ConstructorParameters<typeof FanfareAdmin>[0]> = {}) {
	return new FanfareAdmin({
		secretKey: org.secretKey,
		baseUrl: BASE,
		fetch: workerFetch,
		backoffBaseMs: 20,
		...options,
	});
}

/** A fresh organization with an experience and a sequence, made through the SDK. */
export async function sdkTenant(experience: { checkoutUrl?: string } = {}): Promise<SdkTenant> {
	const org = await createOrg();
	const admin = adminFor(org);
	const exp = await admin.experiences.create({ name: "Launch", ...experience });
	const seq = await admin.experiences.sequences.create(exp.id, { name: "Main" });
	return {
		...org,
		admin,
		experienceId: exp.id,
		sequenceId: seq.id,
		consumer: () => consumerWith(org),
	};
}

/** A fetch that records each request's method, path and headers before passing it to the worker. */
export function recording() {
	const requests: { method: string; path: string; headers: Headers }[] = [];
	const fetch: FetchLike = (input, init) => {
		requests.push({
			method: init?.method ?? "GET",
			path: new URL(input).pathname,
			headers: new Headers(init?.headers),
		});
		return workerFetch(input, init);
	};
	return { requests, fetch };
}

export function consumerWith(t: TestOrg, options: Partial<ConstructorParameters<typeof FanfareConsumer>[0]> = {}) {
	return new FanfareConsumer({
		publishableKey: t.publishableKey,
		baseUrl: BASE,
		fetch: workerFetch,
		webSocket: workerWebSocket,
		backoffBaseMs: 20,
		...options,
	});
}
