/**
 * An organization's Turnstile widget, as D1 table `turnstile_settings` holds it: the site key in
 * the clear (shoppers' pages need it), the secret key sealed under APP_SECRET (lib/secrets.ts,
 * the same versioned sealing as webhook signing secrets) bound to the organization's id, so a
 * ciphertext copied to another organization's row does not open. The secret leaves this module
 * only towards siteverify, never in a response.
 */
import { and, eq, sql } from "drizzle-orm";
import { db } from "../../../db/client";
import { sequences, turnstileSettings } from "../../../db/schema";
import { resealSweep } from "../../../lib/reseal";
import { openWithSecret, sealWithSecret } from "../../../lib/secrets";
import { isoSeconds } from "../../../lib/time";

export const SECRET_PURPOSE = "turnstile-secret";

type Row = typeof turnstileSettings.$inferSelect;

/** What the merchant API shows: never the secret, only that one is set. */
export const toSettings = (row: Row) => ({
	siteKey: row.siteKey,
	secretSet: true as const,
	hostnames: row.hostnames,
	createdAt: isoSeconds(row.createdAt),
	updatedAt: isoSeconds(row.updatedAt),
});

export const readSettingsRow = (d1: D1Database, organizationId: string) =>
	db(d1).select().from(turnstileSettings).where(eq(turnstileSettings.organizationId, organizationId)).get();

/** Whether the organization has a Turnstile widget set up. */
export const hasTurnstile = async (d1: D1Database, organizationId: string) =>
	(await db(d1)
		.select({ id: turnstileSettings.organizationId })
		.from(turnstileSettings)
		.where(eq(turnstileSettings.organizationId, organizationId))
		.get()) !== undefined;

export interface SettingsInput {
	siteKey: string;
	/** Omitted: keep the stored secret (there must be one). */
	secret?: string;
	hostnames?: string[];
}

/** Creates or replaces the organization's settings; null when `secret` is omitted and none is stored. */
export async function writeSettings(env: Env, organizationId: string, input: SettingsInput): Promise<Row | null> {
	const prior = await readSettingsRow(env.DB, organizationId);
	const secretCiphertext =
		typeof input.secret === "string"
			? await sealWithSecret(env.APP_SECRET, SECRET_PURPOSE, input.secret, organizationId)
			: prior?.secretCiphertext;
	if (!secretCiphertext) return null;
	const now = Date.now();
	const row: Row = {
		organizationId,
		siteKey: input.siteKey,
		secretCiphertext,
		hostnames: input.hostnames ?? prior?.hostnames ?? [],
		createdAt: prior?.createdAt ?? now,
		updatedAt: now,
	};
	await db(env.DB)
		.insert(turnstileSettings)
		.values(row)
		.onConflictDoUpdate({
			target: turnstileSettings.organizationId,
			set: { siteKey: row.siteKey, secretCiphertext, hostnames: row.hostnames, updatedAt: now },
		});
	return row;
}

export const deleteSettings = (d1: D1Database, organizationId: string) =>
	db(d1).delete(turnstileSettings).where(eq(turnstileSettings.organizationId, organizationId)).run();

/** The first of the organization's sequences whose protection is Turnstile, if any. */
export const sequenceUsingTurnstile = (d1: D1Database, organizationId: string) =>
	db(d1)
		.select({ id: sequences.id })
		.from(sequences)
		.where(
			and(
				eq(sequences.organizationId, organizationId),
				sql`json_extract(${sequences.protection}, '$.challenge') = 'turnstile'`,
			),
		)
		.limit(1)
		.get();

/** What the gate needs: the secret opened, the hostnames; null when not configured or unreadable (logged). */
export async function verifierSettings(
	env: Env,
	organizationId: string,
): Promise<{ siteKey: string; secret: string; hostnames: string[] } | null> {
	const row = await readSettingsRow(env.DB, organizationId);
	if (!row) return null;
	const secret = await openWithSecret(env.APP_SECRET, SECRET_PURPOSE, row.secretCiphertext, organizationId);
	return typeof secret === "string" ? { siteKey: row.siteKey, secret, hostnames: row.hostnames } : null;
}

const RESEAL_PER_RUN = 500;

/**
 * After an APP_SECRET rotation, Turnstile secrets sealed with an older version are sealed again
 * with the active one (hourly, from the scheduled handler, like webhook secrets), so the older
 * version can be retired. One whose version is already gone is left (logged by openWithSecret):
 * the merchant sets it again with PUT /api/v1/organization/turnstile.
 */
export function resealTurnstileSecrets(env: Env): Promise<{ resealed: number; unreadable: number }> {
	const config = env.APP_SECRET;
	return resealSweep(config, {
		what: "turnstile secrets",
		perRun: RESEAL_PER_RUN,
		load: (prefix, limit) =>
			db(env.DB)
				.select()
				.from(turnstileSettings)
				.where(sql`${turnstileSettings.secretCiphertext} NOT LIKE ${`${prefix}%`}`)
				.limit(limit)
				.all(),
		async reseal(row) {
			const plain = await openWithSecret(config, SECRET_PURPOSE, row.secretCiphertext, row.organizationId);
			if (plain === null) return "unreadable";
			const sealed = await sealWithSecret(config, SECRET_PURPOSE, plain, row.organizationId);
			// Only if unchanged meanwhile: a secret set since was sealed with the active version already.
			const done = await db(env.DB)
				.update(turnstileSettings)
				.set({ secretCiphertext: sealed })
				.where(
					and(
						eq(turnstileSettings.organizationId, row.organizationId),
						eq(turnstileSettings.secretCiphertext, row.secretCiphertext),
					),
				)
				.run();
			return done.meta.changes > 0 ? "resealed" : "skipped";
		},
	});
}
