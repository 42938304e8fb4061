/**
 * An experience's look on the hosted shopper page (`/w/:id`) and in the storefront widgets:
 * logo, three colours and the texts above the live part, with optional translations for the
 * languages the page speaks. Stored with the experience (`experiences.theme`, JSON); every field
 * is optional and a missing one takes the page's default. Colours are `#rrggbb` only and the logo
 * must be https, because both land in a page whose CSP allows nothing else.
 */
import { z } from "zod";
import { LANGUAGES } from "../../pages/common/i18n";

const color = () =>
	z
		.string()
		.regex(/^#[0-9a-fA-F]{6}$/, "Must be a #rrggbb colour")
		.meta({ example: "#1d4ed8" });

const texts = {
	headline: z.string().trim().min(1).max(120).describe("Replaces the distribution's name as the page heading"),
	message: z.string().trim().min(1).max(500).describe("A paragraph shown under the heading"),
};

const languages = Object.keys(LANGUAGES) as [keyof typeof LANGUAGES, ...(keyof typeof LANGUAGES)[]];

export const themeSchema = z
	.strictObject({
		logoUrl: z
			.url({ protocol: /^https$/ })
			.max(2000)
			.optional()
			.describe("An https image URL, at most 48 px high on the page")
			.meta({ example: "https://shop.example.com/logo.svg" }),
		primaryColor: color().optional().describe("Buttons, links, the progress bar"),
		backgroundColor: color().optional().describe("The page background"),
		textColor: color().optional().describe("Body text"),
		headline: texts.headline.optional(),
		message: texts.message.optional(),
		translations: z
			.partialRecord(
				z.enum(languages),
				z.strictObject({ headline: texts.headline.optional(), message: texts.message.optional() }),
			)
			.optional()
			.describe(
				`Per page language (${languages.join(", ")}): headline and message shown instead of the defaults above`,
			),
	})
	.meta({ id: "Theme" });

export type Theme = z.infer<typeof themeSchema>;

/** The theme as the page renders it in `lang`: the translation's texts over the defaults. */
export function themeFor(theme: Theme | null | undefined, lang: string) {
	if (!theme) return undefined;
	const { translations, ...base } = theme;
	const own = translations?.[lang as keyof typeof LANGUAGES];
	return { ...base, headline: own?.headline ?? base.headline, message: own?.message ?? base.message };
}
