/**
 * Who may take part: a sequence's access codes and allow-list (merchant routes, mounted in the
 * sequences router so its guards run once), and the gate every shopper enter path calls.
 */
import { createRouter } from "../../http/router";
import * as handlers from "./handlers";
import * as routes from "./routes";

export { requireAccess } from "./gate";
export { accessCodeField, accessMode, enterBody } from "./schema";

/** No guards of its own: the sequences router it is mounted in has them. */
export const sequenceAccessRoutes = createRouter()
	.openapi(routes.createCodes, handlers.createCodes)
	.openapi(routes.listCodes, handlers.listCodes)
	.openapi(routes.revokeCodes, handlers.revokeCodes)
	.openapi(routes.getCode, handlers.getCode)
	.openapi(routes.revokeCode, handlers.revokeCode)
	.openapi(routes.listAllowList, handlers.listAllowList)
	.openapi(routes.addToAllowList, handlers.addToAllowList)
	.openapi(routes.removeFromAllowList, handlers.removeFromAllowList)
	.openapi(routes.removeAllowListEntry, handlers.removeAllowListEntry);
