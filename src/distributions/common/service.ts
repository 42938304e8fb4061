/**
 * Create, update and delete a distribution: the D1 row, its Durable Object's
 * schedule, and the events, kept in step. The object is configured after the row
 * exists and the row is removed again if that fails, so neither outlives the other.
 */
import { type EventMessage, newEvent, publish } from "../../events/publish";
import type { Tenant } from "../../http/env";
import { conflict, fieldError, notFound } from "../../http/problems";
import { newId } from "../../lib/ids";
import { isoInstant } from "../../lib/time";
import { rulesFrozen } from "../auction/refusals";
import { frozenChanges } from "../auction/rules";
import type { DistributionConfig } from "../kernel/object";
import { checkShardChange } from "../queue/shards/plan";
import { tellQueueStock } from "../queue/stock";
import { engineRef, TYPE_NAMES } from "./engine";
import { changedTimes, checkNotPast, checkRules, toPatch } from "./input";
import { forgetPolicies } from "./policy";
import {
	type DistributionRow,
	getDistribution,
	insertDistribution,
	removeDistribution,
	sequenceExists,
	toDistribution,
	writeDistribution,
} from "./repo";
import { type DistributionType, isClosedOrLater, isOpen, statusAt } from "./status";

/** The row minus what engines never read: what `configure` gets (test/support/distributions.ts backdates with it too). */
export function configOf(row: DistributionRow): DistributionConfig {
	const { status, completedAt, name, metadata, createdAt, updatedAt, timeZone, sequenceId, ...config } = row;
	return config;
}

const event = (row: DistributionRow, type: string, extra: Record<string, unknown> = {}, now = Date.now()) =>
	newEvent(row.organizationId, type, { object: toDistribution(row, now), ...extra }, row.id);

export async function findOrThrow(env: Env, tenant: Tenant, type: DistributionType, id: string) {
	const row = await getDistribution(env.DB, tenant.organizationId, type, id);
	if (!row) throw notFound(TYPE_NAMES[type]);
	return row;
}

/**
 * For the merchant API: the row, once D1 says it is this tenant's distribution of this
 * type, and its object. Shopper calls carry the organization for the object to check;
 * merchant reads such as `stats` or `entries` do not, so ownership is proven here first.
 */
export async function ownedEngine<T extends DistributionType>(env: Env, tenant: Tenant, type: T, id: string) {
	const ref = engineRef(env, type, id);
	return { row: await findOrThrow(env, tenant, type, id), ref };
}

export async function createDistribution(
	env: Env,
	tenant: Tenant,
	type: DistributionType,
	body: Record<string, unknown> & { sequenceId: string; timeZone?: string; encryptionSeed?: string },
): Promise<DistributionRow> {
	if (!(await sequenceExists(env.DB, tenant.organizationId, body.sequenceId))) {
		throw fieldError("sequenceId", "Unknown sequence");
	}
	const zone = body.timeZone ?? tenant.defaultTimeZone;
	const now = Date.now();
	const patch = toPatch(body, zone);
	checkNotPast(patch, null, now);
	const row: DistributionRow = {
		id: newId(type),
		organizationId: tenant.organizationId,
		type,
		sequenceId: body.sequenceId,
		name: null,
		status: "DRAFT",
		openAt: null,
		closeAt: null,
		drawAt: null,
		settleAt: null,
		completedAt: null,
		maxCapacity: null,
		admissionRate: null,
		sessionDurationSeconds: null,
		prequeueSeconds: 0,
		entryShards: 1,
		winnerCount: null,
		maxEntries: null,
		claimWindowSeconds: null,
		backfill: false,
		startingBid: null,
		minimumIncrement: null,
		reservePrice: null,
		buyNowPrice: null,
		softCloseSeconds: null,
		maxExtensionSeconds: null,
		metadata: null,
		...patch,
		// A draw given no openAt opens at creation (the README's SDK example); `"openAt": null` keeps it DRAFT.
		...(type === "draw" && body.openAt === undefined ? { openAt: now } : {}),
		timeZone: zone,
		encryptionSeed: body.encryptionSeed ?? crypto.randomUUID(),
		createdAt: now,
		updatedAt: now,
	};
	row.status = statusAt(type, row, now);
	checkRules(type, row);
	// Minted first: event ids sort by time, and configuring may record transitions already due.
	const created = event(row, `${type}.created`, {}, now);
	await insertDistribution(env.DB, row);
	try {
		await engineRef(env, type, row.id).configure(configOf(row));
		if (type === "queue") await tellQueueStock(env, row.organizationId, { distributionId: row.id });
	} catch (err) {
		await removeDistribution(env.DB, row.organizationId, row.id);
		throw err;
	}
	await publish(env.EVENTS, [created]);
	return row;
}

export async function updateDistribution(
	env: Env,
	tenant: Tenant,
	type: DistributionType,
	id: string,
	body: Record<string, unknown> & { timeZone?: string },
): Promise<DistributionRow> {
	const before = await findOrThrow(env, tenant, type, id);
	const now = Date.now();
	const status = statusAt(type, before, now);
	if (isClosedOrLater(status)) throw closedConflict(type, status);
	const patch = toPatch(body, body.timeZone ?? before.timeZone);
	if (isOpen(status) && patch.openAt !== undefined && patch.openAt !== before.openAt) {
		throw conflict("Cannot move openAt of an open distribution", `This ${type} is already OPEN.`);
	}
	// An auction's rules freeze at its first bid (only a change counts; its object knows whether any bid was placed).
	const frozen = type === "auction" ? frozenChanges(before, { ...before, ...patch }) : [];
	if (frozen.length && (await engineRef(env, "auction", id).participantCount()) > 0) throw rulesFrozen(frozen);
	if (type === "queue") checkShardChange(before, patch, now);
	checkNotPast(patch, before, now);
	const after: DistributionRow = { ...before, ...patch, updatedAt: now };
	after.status = statusAt(type, after, now);
	checkRules(type, after);
	await reconfigure(env, type, before, after, { ...patch, status: after.status, updatedAt: now });
	const changed = changedTimes(before, after);
	const previous = Object.fromEntries(changed.map((f) => [f, toDistribution(before, now)[f as keyof object] ?? null]));
	const events: EventMessage[] = [event(after, `${type}.updated`, {}, now)];
	if (changed.length) events.push(event(after, "distribution.updated", { changed, previous }, now));
	await publish(env.EVENTS, events);
	return after;
}

const closedConflict = (type: DistributionType, status: string) =>
	conflict("Cannot update closed distribution", `This ${type} is ${status}; it can no longer be changed.`);

/**
 * D1, then the object, which has the last word: it refuses a change that reaches it after the
 * close (a PUT checked just before closeAt: kernel/closed-config.ts), and D1 then takes back what
 * it was just given, so nothing stays changed. D1 goes first because a failed D1 write must leave
 * the object untouched: a transition the object recorded (OPEN, CLOSED) cannot be taken back.
 */
async function reconfigure(
	env: Env,
	type: DistributionType,
	before: DistributionRow,
	after: DistributionRow,
	columns: Partial<DistributionRow>,
): Promise<void> {
	await writeDistribution(env.DB, after.organizationId, after.id, columns);
	const reply = await engineRef(env, type, after.id).configure(configOf(after));
	if (reply.ok) return;
	const restored = Object.fromEntries(Object.keys(columns).map((k) => [k, before[k as keyof DistributionRow]]));
	await writeDistribution(env.DB, after.organizationId, after.id, restored);
	throw closedConflict(type, reply.status);
}

/** What stays readable of a distribution that closed, drew or settled, and so is never deleted. */
const EVIDENCE = {
	queue: "its record (who was admitted, the grants it issued)",
	draw: "its entries, proof and results",
	auction: "its bid log and result",
} as const;

/** The 409 for deleting a distribution that has closed (or drawn, settled): its evidence stays. */
export const hasEvidence = (type: DistributionType, status: string) =>
	conflict(
		"Distribution has evidence",
		`This ${type} is ${status}: ${EVIDENCE[type]} stay readable, so it cannot be deleted. Nothing was deleted.`,
	);

/**
 * Deletes a distribution that has not closed: DRAFT, SCHEDULED, or OPEN without participants.
 * One that closed, drew or settled is never deleted (its proof and log stay readable).
 */
export async function deleteDistribution(env: Env, tenant: Tenant, type: DistributionType, id: string): Promise<void> {
	const row = await findOrThrow(env, tenant, type, id);
	const status = statusAt(type, row, Date.now());
	if (isClosedOrLater(status)) throw hasEvidence(type, status);
	const ref = engineRef(env, type, id);
	if (isOpen(status) && (await ref.participantCount()) > 0) {
		throw conflict("Distribution has participants", `Close this ${type} before deleting it.`);
	}
	await removeDistribution(env.DB, tenant.organizationId, id);
	forgetPolicies();
	await ref.destroy();
	await publish(env.EVENTS, [event(row, `${type}.deleted`)]);
}

/** Draws a CLOSED draw now: its drawAt moves to now and its object records DRAWN at once. */
export async function runDrawNow(env: Env, tenant: Tenant, id: string): Promise<DistributionRow> {
	const before = await findOrThrow(env, tenant, "draw", id);
	const now = Date.now();
	if (statusAt("draw", before, now) !== "CLOSED") {
		throw conflict("Draw not closed", "A draw can be run early only after its entries have closed.");
	}
	const after: DistributionRow = { ...before, drawAt: now, updatedAt: now };
	await reconfigure(env, "draw", before, after, { drawAt: now, updatedAt: now });
	await publish(env.EVENTS, [
		event(
			after,
			"distribution.updated",
			{ changed: ["drawAt"], previous: { drawAt: before.drawAt == null ? null : isoInstant(before.drawAt) } },
			now,
		),
	]);
	return after;
}
