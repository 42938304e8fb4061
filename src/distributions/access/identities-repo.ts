/**
 * One person, one entry: the identities (normalized email, phone) each consumer entered a
 * `verified` distribution with. Stored as SHA-256 of the distribution id and the identity, so
 * the table holds no address and one distribution's keys say nothing about another's.
 */
import { sha256Hex } from "../../lib/crypto";
import type { Identity, IdentityKind } from "./rules";

const keyHash = (distributionId: string, identity: Identity) =>
	sha256Hex(`${distributionId}|${identity.kind}:${identity.value}`);

/**
 * Claims these identities for the consumer, in one transaction, and returns who holds each one
 * now (the consumer, or whoever claimed it first). When another consumer holds one of them,
 * `release` undoes the claims this call made, so a refused consumer leaves nothing behind.
 */
export async function claimIdentities(
	d1: D1Database,
	organizationId: string,
	distributionId: string,
	consumerId: string,
	identities: Identity[],
) {
	const hashes = await Promise.all(identities.map((i) => keyHash(distributionId, i)));
	const now = Date.now();
	const inserts = identities.map((identity, n) =>
		d1
			.prepare(
				`INSERT INTO participant_identities (distribution_id, kind, key_hash, consumer_id, organization_id, created_at)
				 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING`,
			)
			.bind(distributionId, identity.kind, hashes[n], consumerId, organizationId, now),
	);
	const holders = identities.map((identity, n) =>
		d1
			.prepare(
				"SELECT kind, consumer_id FROM participant_identities WHERE distribution_id = ?1 AND kind = ?2 AND key_hash = ?3",
			)
			.bind(distributionId, identity.kind, hashes[n]),
	);
	const results = await d1.batch<{ kind: IdentityKind; consumer_id: string }>([...inserts, ...holders]);
	const claimed = hashes.filter((_, n) => (results[n].meta.changes ?? 0) > 0);
	return {
		holders: results
			.slice(identities.length)
			.flatMap((r) => r.results.map((h) => ({ kind: h.kind, consumerId: h.consumer_id }))),
		release: async () => {
			if (!claimed.length) return;
			await d1.batch(
				claimed.map((hash) =>
					d1
						.prepare(
							"DELETE FROM participant_identities WHERE distribution_id = ?1 AND key_hash = ?2 AND consumer_id = ?3",
						)
						.bind(distributionId, hash, consumerId),
				),
			);
		},
	};
}
