/** Which protection a distribution follows: its sequence's, read from D1 with the distribution (one indexed join). */
import { and, eq } from "drizzle-orm";
import { db } from "../../db/client";
import { distributions, sequences } from "../../db/schema";
import type { DistributionType } from "../common/status";

/** The distribution's protection; undefined when the organization has no such distribution. */
export const protectionOfDistribution = (d1: D1Database, organizationId: string, type: DistributionType, id: string) =>
	db(d1)
		.select({ protection: sequences.protection })
		.from(distributions)
		.innerJoin(sequences, eq(sequences.id, distributions.sequenceId))
		.where(
			and(eq(distributions.organizationId, organizationId), eq(distributions.id, id), eq(distributions.type, type)),
		)
		.get();
