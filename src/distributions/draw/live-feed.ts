/**
 * The draw's public live feed: one message (`draw`, the proof's headline) sent on connect and
 * pushed again whenever it changes — sealed, resealed by a draw-now, awaiting the beacon, drawn.
 * Owns no table and no schedule kind: the runtime keeps the sockets (hibernation API), all
 * tagged `public`, since nothing on the feed is anyone's own.
 */

import { acceptLive, broadcast } from "../kernel/live";
import type { StoredTimeline } from "../kernel/timeline";
import type { Lottery } from "./lottery";
import { drawHeadline } from "./public-views";

export class DrawFeed {
	constructor(
		private readonly ctx: DurableObjectState,
		/** Read at each message, so a rotated signing key (a new JWT_SIGNING_KEY ring) applies at once. */
		private readonly signingKey: () => string,
	) {}

	private async message(l: Lottery, t: StoredTimeline) {
		return { type: "draw", ...(await drawHeadline(l, t, this.signingKey(), Date.now())) };
	}

	async accept(l: Lottery, t: StoredTimeline, tags: string[] = []): Promise<Response> {
		return acceptLive(this.ctx, "public", await this.message(l, t), tags);
	}

	/** After the change that moved the headline is stored; costs nothing while no one listens. */
	push(l: Lottery, t: StoredTimeline | null): void {
		if (!t || this.ctx.getWebSockets().length === 0) return;
		this.ctx.waitUntil(this.message(l, t).then((m) => broadcast(this.ctx, m)));
	}
}
