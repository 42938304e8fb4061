import { z } from "zod";
import { money } from "../../lib/money";
import { isoDateTime } from "../../lib/schemas";

export const orderSchema = z
	.object({
		id: z.string().meta({ example: "ord_01HXYZ123456789ABCDEFGHJK" }),
		organizationId: z.string(),
		consumerId: z.string(),
		distributionId: z.string(),
		externalOrderId: z.string().describe("The order's id in the merchant's own platform"),
		totalAmount: z.number().meta({ example: 199.99 }),
		createdAt: isoDateTime(),
		updatedAt: isoDateTime(),
	})
	.meta({ id: "Order" });
export type Order = z.infer<typeof orderSchema>;

const ref = () => z.string().trim().min(1).max(100);

export const createOrderBody = z
	.strictObject({
		consumerId: ref().meta({ example: "con_123" }),
		distributionId: ref().meta({ example: "dist_456" }),
		externalOrderId: z.string().trim().min(1).max(200).meta({ example: "YOUR-ORDER-123" }),
		totalAmount: money(),
		admissionToken: z
			.string()
			.min(1)
			.max(4096)
			.optional()
			.describe("The grant the consumer checked out with; without it, the consumer's live grant is used"),
	})
	.meta({ id: "CreateOrder" });

export const listOrdersQuery = z.object({ consumerId: ref().optional(), distributionId: ref().optional() });
