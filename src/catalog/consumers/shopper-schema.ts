/**
 * Where the shopper-side schemas used to live. They moved to their resources; these re-exports
 * keep the distributions routes' imports working until they import from the new homes, then
 * this file goes.
 */
export { queueStateSchema } from "../../distributions/queue/schema";
export { liveQuery } from "../../lib/schemas";
