/**
 * Who may take part in a sequence's distributions. Kept apart from everything else so the
 * D1 schema can name the modes without importing the access module.
 * - `open`: anyone with an access token, guests included (the default).
 * - `verified`: only consumers the merchant vouches for (tokens from POST /api/v1/consumers/:id/tokens),
 *   one entry per person (email and phone de-duplicated).
 * - `codes`: whoever sends a live access code of the sequence (or was bound to one before).
 * - `list`: consumers on the sequence's allow-list, by id or email.
 */
export const ACCESS_MODES = ["open", "verified", "codes", "list"] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];
