/**
 * The worker's side of sharded entry: which shard object a consumer's enter (or a not-yet-forwarded
 * consumer's status, leave, socket) goes to. The queue's shard count and seed come from a per-isolate
 * snapshot of its object's `entryPlan` (≤ 1 s old; entryShards cannot change while the queue takes
 * entries), kept apart from the progress snapshot so enters never age what polls read.
 * Runs in the worker: owns no table.
 */
import { isId } from "../../../lib/ids";
import { Snapshots } from "../../../lib/snapshot";
import { openTicket } from "../../../lib/tickets";
import { engineRef } from "../../common/engine";
import type { Who } from "../../common/tickets";
import { shardIndex, shardName } from "./plan";

const PLAN_TTL_MS = 1000;
const plans = new Snapshots<{ entryShards: number; encryptionSeed: string } | null>();

const planOf = (env: Env, organizationId: string, queueId: string) =>
	plans.get(`${organizationId}|${queueId}`, PLAN_TTL_MS, () =>
		engineRef(env, "queue", queueId).entryPlan(organizationId),
	);

/** How many objects take the queue's enters: its entryShards (1 for an unknown queue: the handler answers 404). */
export async function entryObjects(env: Env, organizationId: string, queueId: string): Promise<number> {
	if (!isId("queue", queueId)) return 1;
	return (await planOf(env, organizationId, queueId))?.entryShards ?? 1;
}

/** The consumer's shard of a sharded queue, or null for a queue of one shard (enters go to its object, as before). */
export async function shardOf(env: Env, organizationId: string, queueId: string, consumerId: string) {
	const plan = await planOf(env, organizationId, queueId);
	if (!plan || plan.entryShards <= 1) return null;
	const index = await shardIndex(plan.encryptionSeed, consumerId, plan.entryShards);
	return env.QUEUE_SHARD.getByName(shardName(queueId, index));
}

/** The shard of whoever `who` names (the token's consumer, or the ticket's holder), or null. */
export async function shardOfWho(env: Env, organizationId: string, queueId: string, who: Who) {
	if ("consumerId" in who) return shardOf(env, organizationId, queueId, who.consumerId);
	const plan = await planOf(env, organizationId, queueId);
	if (!plan || plan.entryShards <= 1) return null;
	const content = await openTicket(env.APP_SECRET, plan.encryptionSeed, queueId, who.ticket);
	return content ? shardOf(env, organizationId, queueId, content.consumerId) : null;
}
