/**
 * The one gate every way into a distribution passes (queue enter, draw enter, auction bid and
 * buy-now): the sequence's `access` decides whether this consumer may take part. It runs before
 * the distribution's object is asked, so a refused consumer leaves no entry, bid or event.
 */

import { getConsumer } from "../../catalog/consumers/repo";
import type { Tenant } from "../../http/env";
import { notFound } from "../../http/problems";
import { sha256Hex } from "../../lib/crypto";
import { isId } from "../../lib/ids";
import { sequencePolicy } from "../common/policy";
import type { DistributionType } from "../common/status";
import { isListed } from "./allow-list-repo";
import { findCodeByHash, holdsLiveCode, isBound, redeemCode } from "./codes-repo";
import { claimIdentities } from "./identities-repo";
import { accessRefused, duplicatePerson } from "./refusals";
import { codeRefusal, collidingIdentity, identitiesOf, normalizeAccessCode, normalizeEmail } from "./rules";

/** What the gate needs of a shopper request: the bindings and what consumer auth put on the context. */
export interface Asker {
	env: Env;
	var: { tenant: Tenant; consumerId: string; vouched: boolean };
}

const NAMES: Record<DistributionType, string> = { queue: "Queue", draw: "Draw", auction: "Auction" };

interface Request {
	d1: D1Database;
	organizationId: string;
	sequenceId: string;
	distributionId: string;
	consumerId: string;
	vouched: boolean;
	accessCode: string | undefined;
	unredeemable: (() => Error) | undefined;
}

/**
 * Returns when the consumer may take part in the distribution; throws the 404 or 403 problem otherwise.
 * `unredeemable`: this request may not redeem a code (it solved no challenge); a consumer not yet
 * bound to one gets that refusal instead.
 */
export async function requireAccess(
	c: Asker,
	type: DistributionType,
	distributionId: string,
	accessCode?: string,
	unredeemable?: () => Error,
) {
	const { organizationId } = c.var.tenant;
	if (!isId(type, distributionId)) throw notFound(NAMES[type]);
	const policy = await sequencePolicy(c, c.env, organizationId, type, distributionId);
	if (!policy) throw notFound(NAMES[type]);
	if (policy.access === "open") return;
	const request: Request = {
		d1: c.env.DB,
		organizationId,
		sequenceId: policy.sequenceId,
		distributionId,
		consumerId: c.var.consumerId,
		vouched: c.var.vouched,
		accessCode,
		unredeemable,
	};
	await CHECKS[policy.access](request);
}

const CHECKS = { verified: onePersonVouched, codes: withCode, list: onList };

/** `verified`: a merchant-issued token, and no other consumer with the same email or phone entered. */
async function onePersonVouched(r: Request) {
	if (!r.vouched) throw accessRefused("guest");
	const consumer = await getConsumer(r.d1, r.organizationId, r.consumerId);
	if (!consumer) throw accessRefused("consumer_gone");
	const identities = identitiesOf(consumer);
	if (!identities.length) return;
	const claim = await claimIdentities(r.d1, r.organizationId, r.distributionId, r.consumerId, identities);
	const collided = collidingIdentity(r.consumerId, claim.holders);
	if (collided) {
		await claim.release();
		throw duplicatePerson(collided);
	}
}

/** `codes`: a live code of the sequence binds the consumer (while it has uses left); a bound consumer needs none again. */
async function withCode(r: Request) {
	const now = Date.now();
	if (r.accessCode === undefined || r.unredeemable) {
		if (await holdsLiveCode(r.d1, r.organizationId, r.sequenceId, r.consumerId, now)) return;
		if (r.unredeemable) throw r.unredeemable();
		throw accessRefused("code_required");
	}
	const normalized = normalizeAccessCode(r.accessCode);
	if (!normalized) throw accessRefused("code_invalid");
	const code = await findCodeByHash(r.d1, r.organizationId, r.sequenceId, await sha256Hex(normalized));
	if (!code) throw accessRefused("code_invalid");
	if (await redeemCode(r.d1, code.id, r.consumerId, now)) return;
	// Not bound now: already bound before, or refused — the code as it is after the attempt says which.
	const current = await findCodeByHash(r.d1, r.organizationId, r.sequenceId, code.codeHash);
	const refusal = codeRefusal(current ?? null, await isBound(r.d1, code.id, r.consumerId), now);
	if (refusal) throw accessRefused(refusal);
}

/** `list`: the consumer's id, or its normalized email, is on the sequence's allow-list. */
async function onList(r: Request) {
	const consumer = await getConsumer(r.d1, r.organizationId, r.consumerId);
	const email = consumer?.email ? normalizeEmail(consumer.email) : null;
	if (!(await isListed(r.d1, r.organizationId, r.sequenceId, r.consumerId, email))) throw accessRefused("not_listed");
}
