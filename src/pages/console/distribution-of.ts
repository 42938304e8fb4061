/** The distribution a console path names: its type from the id prefix, ownership checked like the API (404 otherwise). */

import { findOrThrow } from "../../distributions/common/service";
import type { DistributionType } from "../../distributions/common/status";
import type { Tenant } from "../../http/env";
import { notFound } from "../../http/problems";

export function typeOfId(id: string): DistributionType {
	const prefix = id.split("_")[0];
	if (prefix === "queue" || prefix === "draw" || prefix === "auction") return prefix;
	throw notFound("Distribution");
}

export const distributionOf = (env: Env, tenant: Tenant, id: string) => findOrThrow(env, tenant, typeOfId(id), id);
