/**
 * The scenario registry. A scenario is a module whose default export is
 * `{ name, title, description, targets?, run(ctx) }`; `run` sets up its own data
 * through the API and returns `{ ceiling, rows, checks?, notes?, context? }` where
 * each row comes from `ctx.measure(spec)`. Add a file here (draw.mjs, auction.mjs,
 * products.mjs, …) and list it below.
 */
import queue from "./queue.mjs";
import queueLong from "./queue-long.mjs";

export const scenarios = [queue, queueLong];
