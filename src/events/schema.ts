import { z } from "zod";
import { isoDateTime } from "../lib/schemas";

export const eventSchema = z
	.object({
		id: z.string().meta({ example: "evt_01HXYZ123456789ABCDEFGHJK" }),
		type: z.string().meta({ example: "queue.opened" }),
		distributionId: z.string().nullable(),
		data: z.record(z.string(), z.unknown()),
		createdAt: isoDateTime(),
	})
	.meta({ id: "Event" });

export const listEventsQuery = z.object({
	type: z
		.string()
		.regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, "An event type such as queue.opened, or a prefix such as queue.*")
		.optional(),
	distributionId: z.string().max(100).optional(),
});
