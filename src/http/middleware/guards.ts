/** What every merchant resource router runs first: secret-key auth, its rate-limit bucket, then idempotency. */
import { secretKeyAuth } from "./auth";
import { idempotency } from "./idempotency";
import { type RateBucket, rateLimit } from "./rate-limit";

export const adminGuards = (bucket: RateBucket) => [secretKeyAuth, rateLimit(bucket), idempotency] as const;
