/**
 * After an APP_SECRET rotation, endpoint signing secrets sealed with an older version are sealed
 * again with the active one, so the older version can be retired without losing an endpoint.
 * Run from the hourly scheduled handler; each run reseals up to 500 endpoints and logs what it did
 * and how many are left (the runbook waits for "0 left" before removing the old version).
 * An endpoint whose secret no longer opens (its version already removed) is left as it is (logged by
 * openWithSecret): rolling its secret (POST …/rotate-secret) gives it a new one.
 */
import { resealSweep } from "../../lib/reseal";
import { openWithSecret, sealWithSecret } from "../../lib/secrets";
import { SECRET_PURPOSE } from "./delivery";
import { endpointsSealedOtherwise, resealEndpoint } from "./repo";

const PER_RUN = 500;

export function resealWebhookSecrets(env: Env): Promise<{ resealed: number; unreadable: number }> {
	const config = env.APP_SECRET;
	return resealSweep(config, {
		what: "webhook secrets",
		perRun: PER_RUN,
		load: (prefix, limit) => endpointsSealedOtherwise(env.DB, prefix, limit),
		async reseal(row) {
			const again = async (sealed: string | null) => {
				if (sealed === null) return null;
				const plain = await openWithSecret(config, SECRET_PURPOSE, sealed, row.id);
				return plain === null ? undefined : sealWithSecret(config, SECRET_PURPOSE, plain, row.id);
			};
			const secretCiphertext = await again(row.secretCiphertext);
			const previousSecretCiphertext = await again(row.previousSecretCiphertext);
			if (!secretCiphertext || previousSecretCiphertext === undefined) return "unreadable";
			return (await resealEndpoint(env.DB, row, { secretCiphertext, previousSecretCiphertext }))
				? "resealed"
				: "skipped";
		},
	});
}
