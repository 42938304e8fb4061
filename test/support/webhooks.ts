/**
 * Webhook endpoints posting to the real local receiver (test/support/receiver.global.ts):
 * fresh receiver names, what arrived there, and verifying a delivery's signature.
 */
import { Webhook } from "standardwebhooks";
import { expect, inject } from "vitest";
import { call, type TestOrg } from "./helpers";
import { waitFor } from "./time";

export const EP = "/api/v1/webhook-endpoints";
const RECEIVER = inject("receiverUrl");

export interface Arrival {
	headers: Record<string, string>;
	body: string;
	status: number;
}

export interface Endpoint {
	id: string;
	url: string;
	description: string | null;
	events: string[];
	enabled: boolean;
	createdAt: string;
	updatedAt: string;
	secret: string;
}

// The receiver lives for the whole run (all test files), so names are unique per run.
let hookCounter = 0;
export const hookName = (label: string) => `${label}-${Date.now().toString(36)}-${++hookCounter}`;
export const hookUrl = (name: string, fail = 0) => `${RECEIVER}/hooks/${name}${fail ? `?fail=${fail}` : ""}`;

export async function received(name: string): Promise<Arrival[]> {
	const res = await fetch(`${RECEIVER}/hooks/${name}`);
	return (await res.json()) as Arrival[];
}

/** Polls the receiver until `name` got at least `count` requests (bounded). */
export const waitForArrivals = (name: string, count: number, timeoutMs = 15_000) =>
	waitFor(
		`receiver ${name}: ${count} requests`,
		() => received(name),
		(list) => list.length >= count,
		timeoutMs,
	);

export async function createEndpoint(org: TestOrg, body: Record<string, unknown>): Promise<Endpoint> {
	const res = await call(EP, { key: org.secretKey, body });
	expect(res.status, res.text).toBe(201);
	return res.json;
}

/** An endpoint posting to a fresh receiver name. */
export async function hook(org: TestOrg, events: string[] = ["*"], fail = 0) {
	const name = hookName(events.join("+").replaceAll("*", "all"));
	const endpoint = await createEndpoint(org, { url: hookUrl(name, fail), events });
	return { name, endpoint };
}

export const verify = (secret: string, a: Arrival) => new Webhook(secret).verify(a.body, a.headers) as any;
