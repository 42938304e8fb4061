/**
 * What a refused shopper is told: 403 problems, one title per reason, each saying what would let
 * them in. A refusal never names another consumer: a duplicate person learns which of its own
 * fields (email or phone) is already entered, not by whom.
 */
import { ApiError } from "../../http/problems";
import type { CodeRefusal, IdentityKind } from "./rules";

export type AccessRefusal = CodeRefusal | "guest" | "consumer_gone" | "code_required" | "not_listed";

const REFUSALS: Record<AccessRefusal, [title: string, detail: string]> = {
	guest: [
		"Verified consumers only",
		"This launch takes only shoppers the merchant signed in (an access token from the merchant's site); a guest session cannot enter.",
	],
	consumer_gone: ["Verified consumers only", "This consumer no longer exists."],
	code_required: [
		"Access code required",
		"This launch is by invitation: send your access code as accessCode in the request body.",
	],
	code_invalid: ["Access code invalid", "This is not an access code of this launch."],
	code_revoked: ["Access code revoked", "The merchant revoked this access code."],
	code_expired: ["Access code expired", "This access code has expired."],
	code_used_up: [
		"Access code already used",
		"This access code has been redeemed by as many shoppers as it allows; it is bound to them.",
	],
	not_listed: ["Not on the allow-list", "This launch is open only to the shoppers the merchant listed."],
};

export const accessRefused = (why: AccessRefusal) =>
	new ApiError(
		403,
		...REFUSALS[why],
		why.startsWith("code_") ? [{ path: "accessCode", message: REFUSALS[why][0] }] : undefined,
	);

const FIELD: Record<IdentityKind, string> = { email: "email address", phone: "phone number" };

/** Another consumer with this consumer's normalized email or phone is already in the distribution. */
export const duplicatePerson = (field: IdentityKind) =>
	new ApiError(
		403,
		"Already entered as another consumer",
		`One entry per person: another account with the same ${FIELD[field]} has already entered this launch.`,
		[{ path: field, message: `Another consumer with this ${FIELD[field]} has entered` }],
	);
