/** What the merchant's queue controls do: ownership checked in D1, then the queue's object. */
import type { AppRouteHandler } from "../../http/router";
import { objectPage } from "../../lib/pagination";
import { unwrap } from "../common/engine";
import { ownedEngine } from "../common/service";
import type * as routes from "./merchant-routes";
import { QUEUE_ERRORS } from "./refusals";
import { shardOf } from "./shards/edge";

export const stats: AppRouteHandler<typeof routes.stats> = async (c) => {
	const { ref } = await ownedEngine(c.env, c.get("tenant"), "queue", c.req.valid("param").id);
	return c.json(await ref.stats(), 200);
};

export const entries: AppRouteHandler<typeof routes.entries> = async (c) => {
	const { id } = c.req.valid("param");
	const { status, ...page } = c.req.valid("query");
	const { ref } = await ownedEngine(c.env, c.get("tenant"), "queue", id);
	const fetchRows = (before: number | null, n: number) => ref.entries(status, n, before);
	return c.json(await objectPage(c.env.APP_SECRET, `queue-entries|${id}`, page, fetchRows), 200);
};

export const admit: AppRouteHandler<typeof routes.admit> = async (c) => {
	const tenant = c.get("tenant");
	const { ref } = await ownedEngine(c.env, tenant, "queue", c.req.valid("param").id);
	return c.json(unwrap(await ref.admitNow(tenant.organizationId, c.req.valid("json").count), QUEUE_ERRORS), 200);
};

export const deny: AppRouteHandler<typeof routes.deny> = async (c) => {
	const { id, consumerId } = c.req.valid("param");
	const tenant = c.get("tenant");
	const { ref } = await ownedEngine(c.env, tenant, "queue", id);
	const reason = c.req.valid("json").reason ?? null;
	let reply = await ref.deny(tenant.organizationId, consumerId, reason);
	// An arrival still pending in its shard (a sharded queue, ≤ one flush) is forwarded now, then denied.
	if (!reply.ok && reply.error === "not_entered") {
		const shard = await shardOf(c.env, tenant.organizationId, id, consumerId);
		if (shard) {
			await shard.settle(consumerId);
			reply = await ref.deny(tenant.organizationId, consumerId, reason);
		}
	}
	return c.json(unwrap(reply, QUEUE_ERRORS), 200);
};
