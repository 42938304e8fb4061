/** What `/api/v1/organization/turnstile` does: the organization's settings in, only the site key out. */
import { conflict, fieldError, notFound } from "../../../http/problems";
import type { AppRouteHandler } from "../../../http/router";
import type * as routes from "./routes";
import { deleteSettings, readSettingsRow, sequenceUsingTurnstile, toSettings, writeSettings } from "./settings";

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
	const row = await readSettingsRow(c.env.DB, c.get("tenant").organizationId);
	if (!row) throw notFound("Turnstile settings");
	return c.json(toSettings(row), 200);
};

export const put: AppRouteHandler<typeof routes.put> = async (c) => {
	const input = c.req.valid("json");
	const row = await writeSettings(c.env, c.get("tenant").organizationId, {
		...input,
		hostnames: input.hostnames && [...new Set(input.hostnames)],
	});
	if (!row) throw fieldError("secret", "Required: no secret key is stored yet");
	return c.json(toSettings(row), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
	const org = c.get("tenant").organizationId;
	const using = await sequenceUsingTurnstile(c.env.DB, org);
	if (using) {
		throw conflict(
			"Turnstile in use",
			`Sequence ${using.id} protects its distributions with Turnstile: set its protection to another challenge first.`,
		);
	}
	await deleteSettings(c.env.DB, org);
	return c.body(null, 204);
};
