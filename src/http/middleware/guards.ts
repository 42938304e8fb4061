/**
 * What every merchant resource router runs first: secret-key auth, the key's scopes (a refused
 * request costs no rate-limit budget and stores nothing), its rate-limit bucket, then idempotency.
 */
import { scopeGuard, secretKeyAuth } from "./auth";
import { idempotency } from "./idempotency";
import { type RateBucket, rateLimit } from "./rate-limit";

export const adminGuards = (bucket: RateBucket) => [secretKeyAuth, scopeGuard, rateLimit(bucket), idempotency] as const;
