/** Which access rule a distribution follows: its sequence's, read from D1 with the distribution (one indexed join). */
import { and, eq } from "drizzle-orm";
import { db } from "../../db/client";
import { distributions, sequences } from "../../db/schema";
import type { DistributionType } from "../common/status";

/** The distribution's sequence and its access mode; undefined when the organization has no such distribution. */
export const accessOf = (d1: D1Database, organizationId: string, type: DistributionType, id: string) =>
	db(d1)
		.select({ sequenceId: sequences.id, access: sequences.access })
		.from(distributions)
		.innerJoin(sequences, eq(sequences.id, distributions.sequenceId))
		.where(
			and(eq(distributions.organizationId, organizationId), eq(distributions.id, id), eq(distributions.type, type)),
		)
		.get();
