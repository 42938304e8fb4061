/**
 * A webhook endpoint deleted between a request's ownership check and its write (a concurrent
 * DELETE): the write finds no row, and the service answers the 404 the route documents instead
 * of a TypeError (500) on the missing row.
 */

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeEndpoint, rotateEndpointSecret } from "../../src/events/webhooks/service";
import { ApiError } from "../../src/http/problems";

const GONE = "wh_01ARZ3NDEKTSV4RRFFQ69G5FAV";

describe("an endpoint deleted after its check", () => {
	it.each([
		["PUT", () => changeEndpoint(env, GONE, { enabled: false }, "fanfare.test")],
		["rotate-secret", () => rotateEndpointSecret(env, GONE)],
	])("%s answers 404 Webhook endpoint not found", async (_what, write) => {
		const err = await write().then(
			() => null,
			(e: unknown) => e,
		);
		expect(err).toBeInstanceOf(ApiError);
		expect((err as ApiError).status).toBe(404);
		expect((err as ApiError).title).toBe("Webhook endpoint not found");
	});
});
