/** `/api/v1/admissions`: the merchant checks and uses the grants shoppers bring to checkout. */
import { Hono } from "hono";
import { validator } from "hono-openapi";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { adminGuards } from "../../http/middleware/guards";
import { ApiError, conflict, fieldError } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { isoSeconds } from "../../lib/time";
import {
	admissionValiditySchema,
	completeAdmissionBody,
	completedAdmissionSchema,
	validateAdmissionBody,
} from "./schema";
import { checkGrant, completeGrant, readGrant } from "./service";

const tags = ["Admissions"];

const REFUSALS = {
	used: () => conflict("Admission already used", "This grant has already been completed."),
	expired: () => conflict("Admission expired", "This grant's session has ended."),
	revoked: () => conflict("Admission revoked", "The consumer left or was denied after this grant was issued."),
	unknown: () => new ApiError(404, "Admission not found", "No distribution of yours issued this grant."),
};

export const admissionRoutes = new Hono<AppEnv>()
	.use(...adminGuards("admin"))
	.post(
		"/validate",
		doc({
			tags,
			summary: "Is this admission grant genuine, unexpired and unused?",
			description: "Answers 200 with `valid: false` and a `reason` for any grant that cannot be used.",
			ok: [200, admissionValiditySchema],
		}),
		validator("json", validateAdmissionBody, onInvalid),
		async (c) => {
			const lookup = await readGrant(c.env, c.get("tenant"), c.req.valid("json").token);
			if (!lookup.ok)
				return c.json({
					valid: false,
					consumerId: null,
					distributionId: null,
					expiresAt: null,
					reason: "invalid" as const,
				});
			const check = await checkGrant(c.env, lookup);
			const common = { consumerId: lookup.claims.sub, distributionId: lookup.claims.dist };
			return c.json(
				check.valid
					? { valid: true, ...common, expiresAt: isoSeconds(check.expiresAt) }
					: { valid: false, ...common, expiresAt: isoSeconds(lookup.claims.exp * 1000), reason: check.reason },
			);
		},
	)
	.post(
		"/complete",
		doc({
			tags,
			summary: "Use an admission grant (single use): the consumer becomes COMPLETED",
			ok: [200, completedAdmissionSchema],
			errors: { 404: "Admission not found", 409: "Admission already used / expired / revoked" },
		}),
		validator("json", completeAdmissionBody, onInvalid),
		async (c) => {
			const { token, orderId, orderAmount } = c.req.valid("json");
			const lookup = await readGrant(c.env, c.get("tenant"), token);
			if (!lookup.ok) throw fieldError("token", "Not a valid admission grant of this organization");
			const check = await completeGrant(c.env, lookup, { orderId, orderAmount });
			if (!check.valid) throw REFUSALS[check.reason]();
			return c.json({ completed: true as const, consumerId: check.consumerId, distributionId: lookup.claims.dist });
		},
	);
