/**
 * The scenario registry. A scenario is a module whose default export is
 * `{ name, title, description, targets?, options?, run(ctx) }`; `run` sets up its own data
 * through the API and returns `{ ceiling, rows, checks?, notes?, tables?, summary?, context?, title? }`
 * where each row comes from `ctx.measure(spec)`. Add a file here and list it below
 * (the order is the order of a full run). `floor` (marked `always`) runs first in every run, so every
 * other row has its floor row to be compared with (`--no-floor` leaves it out).
 */
import admin from "./admin.mjs";
import auction from "./auction.mjs";
import draw from "./draw.mjs";
import drawScale from "./draw-scale.mjs";
import flood from "./flood.mjs";
import floor from "./floor.mjs";
import inObject from "./in-object.mjs";
import queue from "./queue.mjs";
import queueScale from "./queue-scale.mjs";
import queueSharded from "./queue-sharded.mjs";

export const scenarios = [floor, queue, queueScale, queueSharded, draw, drawScale, auction, admin, flood, inObject];
