/** What the hosted page reads from D1: the distribution (this organization's only) and its experience's theme. */
import { and, eq } from "drizzle-orm";
import { db } from "../../db/client";
import { distributions, experiences, sequences } from "../../db/schema";
import { type DistributionResponse, toDistribution } from "../../distributions/common/repo";
import type { Theme } from "../../experiences/experiences/theme";

export interface ShopperTarget {
	distribution: DistributionResponse & { type: "queue" | "draw" | "auction"; drawAt?: string };
	theme?: Theme;
	/** The sequence's challenge: `turnstile` needs Cloudflare's script on the page. */
	challenge: string;
}

export async function shopperTarget(d1: D1Database, organizationId: string, id: string): Promise<ShopperTarget | null> {
	const row = await db(d1)
		.select({ distribution: distributions, theme: experiences.theme, protection: sequences.protection })
		.from(distributions)
		.innerJoin(sequences, eq(sequences.id, distributions.sequenceId))
		.innerJoin(experiences, eq(experiences.id, sequences.experienceId))
		.where(and(eq(distributions.organizationId, organizationId), eq(distributions.id, id)))
		.get();
	if (!row) return null;
	const distribution = { ...toDistribution(row.distribution), type: row.distribution.type };
	return { distribution, theme: row.theme ?? undefined, challenge: row.protection?.challenge ?? "none" };
}
