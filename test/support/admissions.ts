/** The merchant's side of an admission grant (any distribution's): validate and complete. */
import { call, type TestOrg } from "./helpers";

export const validate = (t: TestOrg, token: string, key = t.secretKey) =>
	call("/api/v1/admissions/validate", { key, body: { token } });

/** Uses the grant (POST /api/v1/admissions/complete), with an orderId and orderAmount if given. */
export const complete = (t: TestOrg, token: string, extra: Record<string, unknown> = {}, key = t.secretKey) =>
	call("/api/v1/admissions/complete", { key, body: { token, ...extra } });

/** Claims a win (a draw's or an auction's) by completing its grant for an order. */
export const claim = (t: TestOrg, token: string, orderId = "ord_test") => complete(t, token, { orderId });
