import { z } from "zod";

/** The field `withCheckout` adds to a consumer state that carries a grant. */
export const checkoutUrlField = z
	.string()
	.optional()
	.describe("With a grant: the merchant's checkout, with the grant and ids as query parameters");
