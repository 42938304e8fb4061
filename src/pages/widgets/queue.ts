/**
 * `<fanfare-queue>`: enters the queue, shows position, people ahead, ETA and progress, live over
 * the queue's WebSocket (polling when that fails), the pre-queue countdown, and the end states.
 * On admission it fires `fanfare-admitted` (cancelable) with the checkout URL and the grant; with
 * the `auto-redirect` attribute (the hosted page) it then goes to checkout after a short visible
 * countdown, showing how long the grant stays valid.
 */
import { html, nothing } from "lit";
import type { LiveState } from "../../sdk/live.js";
import type { QueueEntryState, QueueLiveMessage } from "../../sdk/types.js";
import { duration } from "../common/i18n.js";
import { FanfareElement } from "./base.js";
import { claimTab, type TabClaim } from "./tabs.js";

const REDIRECT_SECONDS = 3;

export class FanfareQueue extends FanfareElement {
	static override properties = {
		...FanfareElement.properties,
		openAt: { type: String, attribute: "open-at" },
		autoRedirect: { type: Boolean, attribute: "auto-redirect" },
		state: { state: true },
		live: { state: true },
		elsewhere: { state: true },
		firstPosition: { state: true },
		soldOut: { state: true },
		redirectAt: { state: true },
		busy: { state: true },
		notOpen: { state: true },
	};

	declare openAt: string;
	declare autoRedirect: boolean;
	declare state: QueueEntryState | null;
	declare live: LiveState | null;
	declare elsewhere: boolean;
	declare firstPosition: number | null;
	declare soldOut: boolean;
	declare redirectAt: number | null;
	declare busy: boolean;
	declare notOpen: boolean;
	private retry?: ReturnType<typeof setTimeout>;
	private unwatch?: () => void;
	private tab?: TabClaim;
	private admittedFired = false;

	constructor() {
		super();
		this.openAt = "";
		this.autoRedirect = false;
		this.state = null;
		this.live = null;
		this.elsewhere = false;
		this.firstPosition = null;
		this.soldOut = false;
		this.redirectAt = null;
		this.busy = false;
		this.notOpen = false;
	}

	protected async start(): Promise<void> {
		this.tab = await claimTab(`queue:${this.distribution}`, () => {
			if (this.elsewhere) {
				this.elsewhere = false;
				this.tab?.release();
				this.start().catch((err) => this.fail(err));
			}
		});
		if (this.tab.elsewhere) {
			this.elsewhere = true;
			return;
		}
		await this.session();
		await this.join();
	}

	/** Enters (with the access code once the launch asked for one), then follows the line live. */
	private async join(accessCode?: string): Promise<void> {
		this.busy = true;
		try {
			const entered = await this.withAccessCode(() => this.client.queues.enter(this.distribution, { accessCode }));
			if (!entered) return;
			this.notOpen = false;
			this.apply(entered);
		} catch (err) {
			const type = (err as { type?: string }).type;
			// A newcomer to a sold-out queue gets the end state, and one who is early a countdown, not an error.
			if (type === "/problems/sold-out") {
				this.soldOut = true;
				return;
			}
			if (type !== "/problems/queue-not-open") throw err;
			this.notOpen = true;
			const wait = Math.min(30_000, Math.max(1000, this.secondsUntil(this.openAt) * 1000));
			this.retry = setTimeout(() => this.join(accessCode).catch((e) => this.fail(e)), wait);
			return;
		} finally {
			this.busy = false;
		}
		this.unwatch = this.client.queues.watch(this.distribution, (m) => this.onMessage(m), {
			onStateChange: (s) => {
				this.live = s;
			},
			pollIntervalMs: 3000,
		});
	}

	protected stop(): void {
		clearTimeout(this.retry);
		this.unwatch?.();
		this.tab?.release();
	}

	private onMessage(m: QueueLiveMessage): void {
		if (m.type === "status" || m.type === "admitted") this.apply(m);
		else if (m.type === "sold_out") this.soldOut = true;
		else if (m.type === "progress" && this.state?.status === "QUEUED") {
			// Position updates come with the next status; progress only means the line moved.
			this.client.queues
				.status(this.distribution)
				.then((s) => this.apply(s))
				.catch(() => {});
		}
	}

	private apply(state: QueueEntryState): void {
		this.state = state;
		if (state.status === "SOLD_OUT") this.soldOut = true;
		if (state.position != null && this.firstPosition == null) this.firstPosition = state.position;
		if (state.status === "ADMITTED" && state.admissionToken && !this.admittedFired) {
			this.admittedFired = true;
			// The 302 route: it checks the grant is live before sending the shopper to the merchant.
			const checkoutUrl = this.client.checkoutUrl(this.distribution, state.admissionToken);
			const go = this.emit(
				"fanfare-admitted",
				{
					distributionId: this.distribution,
					checkoutUrl,
					grant: state.admissionToken,
					expiresAt: state.admissionExpiresAt ?? null,
				},
				true,
			);
			this.unwatch?.();
			if (go && this.autoRedirect) {
				this.redirectAt = Date.now() + REDIRECT_SECONDS * 1000;
				setTimeout(() => location.assign(checkoutUrl), REDIRECT_SECONDS * 1000);
			}
		}
	}

	private checkout(): string {
		const s = this.state;
		return s?.admissionToken ? this.client.checkoutUrl(this.distribution, s.admissionToken) : "#";
	}

	override render() {
		return html`<div class="card" part="card">${this.body()}<slot name="turnstile"></slot></div>`;
	}

	private body() {
		if (this.error) return html`<p class="notice error" role="alert">${this.tr("error", { message: this.error })}</p>`;
		if (this.elsewhere) return html`<p class="notice" role="status" data-state="elsewhere">${this.tr("otherTab")}</p>`;
		if (this.codeAsked) return this.codeForm((code) => this.join(code).catch((err) => this.fail(err)), this.busy);
		const s = this.state;
		if (!s && this.notOpen)
			return html`<p class="big" role="timer" aria-live="off" data-state="not-open">${this.tr("queuePreQueue", { time: duration(this.s, this.secondsUntil(this.openAt)) })}</p>
				<p class="note">${this.tr("queueNotOpenYet")}</p>`;
		if (!s && this.soldOut)
			return html`<p class="notice" role="alert" data-state="sold-out">${this.tr("queueSoldOutNew")}</p>`;
		if (!s) return html`<p role="status">${this.tr(this.busy ? "challengeWorking" : "loading")}</p>`;
		switch (s.status) {
			case "ADMITTED":
				return this.admitted(s);
			case "DENIED":
				return html`<p class="notice" role="alert" data-state="denied">${this.tr("queueDenied")}</p>`;
			case "EXPIRED":
				return html`<p class="notice" role="alert" data-state="expired">${this.tr("queueExpired")}</p>`;
			case "LEFT":
				return html`<p class="notice" role="status" data-state="left">${this.tr("queueLeft")}</p>`;
			case "COMPLETED":
				return html`<p class="ok" role="status" data-state="completed">${this.tr("queueCompleted")}</p>`;
			default:
				return this.waiting(s);
		}
	}

	private waiting(s: QueueEntryState) {
		const opensIn = this.secondsUntil(this.openAt);
		const pre = s.position == null;
		const ahead = s.position == null ? null : Math.max(0, s.position - 1);
		const first = this.firstPosition ?? s.position ?? 1;
		const progress = s.position == null ? 0 : Math.min(1, Math.max(0, (first - s.position + 1) / first));
		return html`
			${
				pre
					? html`<p class="big" role="timer" aria-live="off">${this.tr("queuePreQueue", { time: duration(this.s, opensIn) })}</p>
						<p class="note" data-state="prequeue">${this.tr("queueShuffle")}</p>`
					: html`<dl data-state="queued">
							<dt>${this.tr("queuePosition")}</dt>
							<dd class="big" aria-live="polite" aria-atomic="true" data-testid="position">${s.position}</dd>
							<dt>${this.tr("queueAhead")}</dt>
							<dd data-testid="ahead">${ahead}</dd>
							<dt>${this.tr("queueEta")}</dt>
							<dd>${s.estimatedWaitSeconds == null ? "—" : duration(this.s, s.estimatedWaitSeconds)}</dd>
						</dl>
						<label for="progress">${this.tr("queueProgress")}</label>
						<progress id="progress" max="100" .value=${Math.round(progress * 100)}></progress>`
			}
			${this.soldOut ? html`<p class="notice" role="alert" data-state="sold-out">${this.tr("queueSoldOut")}</p>` : nothing}
			<p class="note">${this.tr("queueDontRefresh")}</p>
			<p class="note" aria-live="off">${this.live === "polling" ? this.tr("polling") : this.live === "live" ? this.tr("live") : ""}</p>
		`;
	}

	private admitted(s: QueueEntryState) {
		const valid = this.secondsUntil(s.admissionExpiresAt);
		const redirectIn = this.redirectAt ? Math.max(0, Math.ceil((this.redirectAt - this.now) / 1000)) : null;
		return html`<div role="alert" data-state="admitted">
			<p class="big">${this.tr("queueAdmitted")}</p>
			${s.admissionExpiresAt ? html`<p role="timer">${this.tr("queueGrantValid", { time: duration(this.s, valid) })}</p>` : nothing}
			${redirectIn != null ? html`<p>${this.tr("queueRedirect", { seconds: redirectIn })}</p>` : nothing}
			<a class="button" href=${this.checkout()}>${this.tr("queueCheckoutNow")}</a>
		</div>`;
	}
}
