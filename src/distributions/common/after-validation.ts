/**
 * A route's own `middleware` runs before `createRoute` validation. A few shopper routes
 * check their credentials after it instead (a bid's body, the live socket's query), so a
 * malformed request is a 400 whatever its credentials, as these routes always answered:
 * `afterValidation(auth, handler)` is the handler, with `auth` run in front of it.
 */
import type { Context, Env, MiddlewareHandler, Next } from "hono";

export function afterValidation<E extends Env, C extends Context<E>, R>(
	middleware: MiddlewareHandler<E>,
	handler: (c: C, next: Next) => R,
): (c: C, next: Next) => R {
	return (c, next) => {
		let response: R | undefined;
		const ran = middleware(c, async () => {
			response = handler(c, next);
			await response;
		});
		// The middleware either ran the handler or threw (a refused credential).
		return ran.then(() => response) as R;
	};
}
