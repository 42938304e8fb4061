/** The contracts of `/api/v1/admissions`: the merchant checks and uses the grants shoppers bring to checkout. */
import { createRoute } from "@hono/zod-openapi";
import { errors, json, jsonBody, SECURITY } from "../../http/openapi";
import {
	admissionValiditySchema,
	completeAdmissionBody,
	completedAdmissionSchema,
	revokeAdmissionBody,
	revokedAdmissionsSchema,
	validateAdmissionBody,
} from "./schema";

const tags = ["Admissions"];
const security = SECURITY.secret;

export const validate = createRoute({
	method: "post",
	path: "/validate",
	tags,
	summary: "Is this admission grant genuine, unexpired and unused?",
	description: "Answers 200 with `valid: false` and a `reason` for any grant that cannot be used.",
	security,
	request: { body: jsonBody(validateAdmissionBody) },
	responses: { 200: json(admissionValiditySchema), ...errors() },
});

export const revoke = createRoute({
	method: "post",
	path: "/revoke",
	tags,
	summary: "Revoke admission grants: by the grant, its id, or the consumer (idempotent)",
	description:
		"A revoked grant fails `validate` (`reason: revoked`), `complete` and checkout from then on. Each grant revoked now is one `admission.revoked` event; revoking again revokes nothing.",
	security,
	request: { body: jsonBody(revokeAdmissionBody) },
	responses: { 200: json(revokedAdmissionsSchema), ...errors({ 404: "Admission not found" }) },
});

export const complete = createRoute({
	method: "post",
	path: "/complete",
	tags,
	summary: "Use an admission grant (single use): the consumer becomes COMPLETED",
	security,
	request: { body: jsonBody(completeAdmissionBody) },
	responses: {
		200: json(completedAdmissionSchema),
		...errors({ 404: "Admission not found", 409: "Admission already used / expired / revoked" }),
	},
});
