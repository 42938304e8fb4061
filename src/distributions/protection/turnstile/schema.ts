/** The zod source of `/api/v1/organization/turnstile`: the organization's Turnstile widget settings. */
import { z } from "zod";
import { isoDateTime } from "../../../lib/schemas";

/** Keys as Cloudflare prints them: printable ASCII, no spaces. */
const KEY = /^[\x21-\x7e]+$/;
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const turnstileSettingsBody = z
	.strictObject({
		siteKey: z
			.string()
			.min(1)
			.max(100)
			.regex(KEY, "A site key is printable ASCII without spaces")
			.describe("The widget's site key from the Cloudflare dashboard (public: shoppers' pages get it)")
			.meta({ example: "0x4AAAAAAABkMYinukE8nzY" }),
		secret: z
			.string()
			.min(1)
			.max(200)
			.regex(KEY, "A secret key is printable ASCII without spaces")
			.optional()
			.describe(
				"The widget's secret key. Stored encrypted, never returned. Required the first time; omit it to keep the stored one.",
			),
		hostnames: z
			.array(
				z.string().trim().toLowerCase().max(253).regex(HOSTNAME, "Not a hostname").describe("e.g. shop.example.com"),
			)
			.max(20)
			.optional()
			.describe(
				"Hostnames a token may have been solved on (siteverify's `hostname`); empty (default): any the widget allows. Omit to keep the stored list.",
			),
	})
	.meta({ id: "TurnstileSettingsInput" });

export const turnstileSettingsSchema = z
	.object({
		siteKey: z.string(),
		secretSet: z.literal(true).describe("A secret key is stored; it is never shown again"),
		hostnames: z.array(z.string()),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "TurnstileSettings" });
