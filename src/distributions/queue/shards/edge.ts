/**
 * The worker's side of sharded entry: which shard object a consumer's enter (or a not-yet-forwarded
 * consumer's status, leave, socket) goes to. The queue's shard count and seed come from the
 * per-isolate progress snapshot (progress.ts, ≤ 1 s old; entryShards cannot change while the queue
 * takes entries). Runs in the worker: owns no table.
 */
import { openTicket } from "../../../lib/tickets";
import type { Who } from "../../common/tickets";
import { progressOf } from "../progress";
import { shardIndex, shardName } from "./plan";

/** The consumer's shard of a sharded queue, or null for a queue of one shard (enters go to its object, as before). */
export async function shardOf(env: Env, organizationId: string, queueId: string, consumerId: string) {
	const progress = await progressOf(env, organizationId, queueId);
	const k = progress?.entryShards ?? 1;
	if (!progress || k <= 1) return null;
	return env.QUEUE_SHARD.getByName(shardName(queueId, await shardIndex(progress.encryptionSeed, consumerId, k)));
}

/** The shard of whoever `who` names (the token's consumer, or the ticket's holder), or null. */
export async function shardOfWho(env: Env, organizationId: string, queueId: string, who: Who) {
	if ("consumerId" in who) return shardOf(env, organizationId, queueId, who.consumerId);
	const progress = await progressOf(env, organizationId, queueId);
	if (!progress || (progress.entryShards ?? 1) <= 1) return null;
	const content = await openTicket(env.APP_SECRET, progress.encryptionSeed, queueId, who.ticket);
	return content ? shardOf(env, organizationId, queueId, content.consumerId) : null;
}
