/**
 * /widget.js: the storefront widgets as one ES module (Lit web components on the consumer SDK).
 *
 *   <script type="module" src="https://fanfare.example.com/widget.js"></script>
 *   <fanfare-queue distribution="queue_…" publishable-key="pk_live_…" base-url="https://fanfare.example.com"></fanfare-queue>
 *
 * Events (bubbling, composed): fanfare-admitted {checkoutUrl, grant, expiresAt} (cancelable),
 * fanfare-won {checkoutUrl, grant, claimBy}, fanfare-outbid {currentPrice, minimumNextBid},
 * fanfare-error {message, status}. Built by scripts/pages-assets.mjs into public/widget.js.
 */
import { FanfareAuction } from "./auction.js";
import { FanfareDraw } from "./draw.js";
import { FanfareQueue } from "./queue.js";

const define = (name: string, ctor: CustomElementConstructor) => {
	if (!customElements.get(name)) customElements.define(name, ctor);
};
define("fanfare-queue", FanfareQueue);
define("fanfare-draw", FanfareDraw);
define("fanfare-auction", FanfareAuction);

export { FanfareAuction, FanfareDraw, FanfareQueue };
