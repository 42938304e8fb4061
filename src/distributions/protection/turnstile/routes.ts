/** The contracts of `/api/v1/organization/turnstile`: the organization's Cloudflare Turnstile widget. */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../../http/openapi";
import { turnstileSettingsBody, turnstileSettingsSchema } from "./schema";

const tags = ["Bot protection"];
const security = SECURITY.secret;
const path = "/turnstile";

export const get = createRoute({
	method: "get",
	path,
	tags,
	summary: "The organization's Turnstile settings (never the secret key)",
	security,
	responses: { 200: json(turnstileSettingsSchema), ...errors({ 404: "Turnstile settings not found" }) },
});

export const put = createRoute({
	method: "put",
	path,
	tags,
	summary: "Set the organization's Turnstile site key and secret key",
	description:
		'Needs the `distributions` scope. Sequences with `protection.challenge: "turnstile"` verify shoppers\' tokens with ' +
		"this secret (Cloudflare siteverify); shoppers' pages get the site key from POST /consumer/v1/challenges. " +
		"The secret is stored encrypted under the deployment's APP_SECRET and no response ever contains it.",
	security,
	request: { body: jsonBody(turnstileSettingsBody) },
	responses: { 200: json(turnstileSettingsSchema), ...errors() },
});

export const remove = createRoute({
	method: "delete",
	path,
	tags,
	summary: "Remove the organization's Turnstile settings",
	description: "Refused (409) while a sequence's protection is `turnstile`: change it first.",
	security,
	responses: { 204: empty(), ...errors({ 409: "Turnstile in use" }) },
});
