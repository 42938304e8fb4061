/**
 * When a distribution's object may reach D1 and the events Queue again after they failed: the
 * alarm skips its delivery until then, however often its other kinds (a queue's admission tick)
 * bring it back, and holds `flush` at that time. DELIVERY_RETRY_MS, doubling with each failure in
 * a row up to DELIVERY_RETRY_MAX_MS. Memory only: a fresh instance tries at once. Owns no table.
 */

export const DELIVERY_RETRY_MS = 1000;
export const DELIVERY_RETRY_MAX_MS = 60_000;

export class DeliveryBackoff {
	private failures = 0;
	private retryAt = 0;

	/** Whether a delivery may be tried at `now`. */
	due(now: number): boolean {
		return now >= this.retryAt;
	}

	/** When the next delivery may be tried (0: at once). */
	get until(): number {
		return this.retryAt;
	}

	succeeded(): void {
		this.failures = 0;
		this.retryAt = 0;
	}

	/** Records a failure at `now`; returns how long the next try waits. */
	failed(now: number): { delay: number; inARow: number } {
		const delay = Math.min(DELIVERY_RETRY_MAX_MS, DELIVERY_RETRY_MS * 2 ** this.failures++);
		this.retryAt = now + delay;
		return { delay, inARow: this.failures };
	}
}
