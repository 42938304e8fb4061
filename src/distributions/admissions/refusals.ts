/**
 * Why a grant cannot be used, as the problem the merchant gets — one table for both places
 * that use grants. Each reason is worded for what the caller was given: the admissions API
 * is handed a grant ("this grant"); the order callback and the shopper's checkout name a
 * consumer, who may hold no grant at all, so there an unknown grant is "No admission" (409)
 * rather than a grant that was not found (404).
 */
import { ApiError, conflict } from "../../http/problems";
import type { GrantCheck } from "../kernel/grants";

export type GrantRefusal = Extract<GrantCheck, { valid: false }>["reason"];

const GRANT_REFUSALS: Record<GrantRefusal, { grant: () => ApiError; consumer: () => ApiError }> = {
	used: {
		grant: () => conflict("Admission already used", "This grant has already been completed."),
		consumer: () => conflict("Admission already used", "This consumer's grant for the distribution was already used."),
	},
	expired: {
		grant: () => conflict("Admission expired", "This grant's session has ended."),
		consumer: () => conflict("Admission expired", "This consumer's grant for the distribution has expired."),
	},
	revoked: {
		grant: () => conflict("Admission revoked", "The consumer left or was denied after this grant was issued."),
		consumer: () => conflict("Admission revoked", "This consumer left or was denied."),
	},
	unknown: {
		grant: () => new ApiError(404, "Admission not found", "No distribution of yours issued this grant."),
		consumer: () => conflict("No admission", "This consumer holds no live admission for this distribution."),
	},
};

/** The problem for `reason`, worded for a caller holding a `grant` or naming a `consumer`. */
export const grantRefused = (reason: GrantRefusal, caller: "grant" | "consumer"): ApiError =>
	GRANT_REFUSALS[reason][caller]();

/** A grant bound to one shopper session, brought in another: it was passed on (403, the grant stays live). */
export const sessionMismatch = () =>
	new ApiError(
		403,
		"Admission bound to another session",
		"This grant was handed to another shopper session than the one completing it; it stays valid for its own session.",
		[{ path: "sessionId", message: "Not the session this grant is bound to" }],
	);
