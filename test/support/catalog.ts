/** The catalog's spec examples, shared by the suites that send them. */

/** The spec's example product body (custom-integration-api.txt, "Create a product"). */
export const SNEAKER = {
	name: "Limited Edition Sneakers",
	description: "Exclusive release",
	price: 199.99,
	sku: "SNKR-001",
	inventory: 100,
};
