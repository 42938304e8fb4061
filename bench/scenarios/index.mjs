/**
 * The scenario registry. A scenario is a module whose default export is
 * `{ name, title, description, targets?, options?, run(ctx) }`; `run` sets up its own data
 * through the API and returns `{ ceiling, rows, checks?, notes?, tables?, summary?, context?, title? }`
 * where each row comes from `ctx.measure(spec)`. Add a file here (products.mjs, …) and list it below.
 */
import auction from "./auction.mjs";
import draw from "./draw.mjs";
import queue from "./queue.mjs";
import queueLong from "./queue-long.mjs";

export const scenarios = [queue, queueLong, draw, auction];
