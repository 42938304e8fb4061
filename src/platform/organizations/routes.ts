/** The operator's API: tenants. Authenticated by PLATFORM_ADMIN_TOKEN. */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { validator } from "hono-openapi";
import { db } from "../../db/client";
import { listPage } from "../../db/list";
import { organizations } from "../../db/schema";
import type { AppEnv } from "../../http/env";
import { doc } from "../../http/legacy-doc";
import { platformAuth } from "../../http/middleware/auth";
import { idempotency } from "../../http/middleware/idempotency";
import { notFound } from "../../http/problems";
import { onInvalid } from "../../http/validation";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { createOrganization, toOrganization } from "./repo";
import { createdOrganizationSchema, createOrganizationBody, organizationSchema } from "./schema";

const tags = ["Platform"];
const security = "platform" as const;

export const platformRoutes = new Hono<AppEnv>()
	.use(platformAuth, idempotency)
	.post(
		"/organizations",
		doc({ tags, security, summary: "Create an organization and its first keys", ok: [201, createdOrganizationSchema] }),
		validator("json", createOrganizationBody, onInvalid),
		async (c) => {
			const { name, defaultTimeZone } = c.req.valid("json");
			return c.json(await createOrganization(db(c.env.DB), name, defaultTimeZone), 201);
		},
	)
	.get(
		"/organizations",
		doc({ tags, security, summary: "List organizations", ok: [200, pageSchema(organizationSchema)] }),
		validator("query", pageQuery, onInvalid),
		async (c) =>
			c.json(
				await listPage(db(c.env.DB), c.env.APP_SECRET, organizations, null, [], c.req.valid("query"), toOrganization),
			),
	)
	.get(
		"/organizations/:id",
		doc({
			tags,
			security,
			summary: "Get an organization",
			ok: [200, organizationSchema],
			errors: { 404: "Organization not found" },
		}),
		validator("param", idParam, onInvalid),
		async (c) => {
			const row = await db(c.env.DB)
				.select()
				.from(organizations)
				.where(eq(organizations.id, c.req.valid("param").id))
				.get();
			if (!row) throw notFound("Organization");
			return c.json(toOrganization(row));
		},
	);
