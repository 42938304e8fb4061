/**
 * `<fanfare-draw>`: enter, the receipt, the countdown to the draw, the result — and the
 * "verify this draw" panel, which runs the SDK's verifier (`draws.verify`) in the browser over
 * the public proof, the public log and the receipt this browser kept, listing every check.
 * Fires `fanfare-won` (checkout URL, grant, claimBy) for a winner.
 */
import { html, nothing } from "lit";
import type { DrawVerification } from "../../sdk/draws.js";
import type { DrawEntryState, DrawLiveMessage } from "../../sdk/types.js";
import { duration } from "../common/i18n.js";
import { FanfareElement } from "./base.js";

export class FanfareDraw extends FanfareElement {
	static override properties = {
		...FanfareElement.properties,
		drawAt: { type: String, attribute: "draw-at" },
		entry: { state: true },
		feed: { state: true },
		busy: { state: true },
		verification: { state: true },
	};

	declare drawAt: string;
	declare entry: DrawEntryState | null;
	declare feed: DrawLiveMessage | null;
	declare busy: boolean;
	declare verification: DrawVerification | null;
	private unwatch?: () => void;
	private wonFired = false;

	constructor() {
		super();
		this.drawAt = "";
		this.entry = null;
		this.feed = null;
		this.busy = false;
		this.verification = null;
	}

	protected async start(): Promise<void> {
		await this.session();
		await this.refresh();
		this.unwatch = this.client.draws.watch(this.distribution, (m) => {
			const drawnNow = m.drawnAt && !this.feed?.drawnAt;
			this.feed = m;
			if (drawnNow || m.seal) this.refresh().catch((err) => this.fail(err));
		});
	}

	protected stop(): void {
		this.unwatch?.();
	}

	private async refresh(): Promise<void> {
		try {
			this.apply(await this.client.draws.status(this.distribution));
		} catch (err) {
			if ((err as { status?: number }).status !== 404) throw err;
		}
	}

	private apply(entry: DrawEntryState): void {
		this.entry = entry;
		if (entry.status === "WON" && entry.admissionToken && !this.wonFired) {
			this.wonFired = true;
			this.emit("fanfare-won", {
				distributionId: this.distribution,
				checkoutUrl: entry.checkoutUrl ?? this.client.checkoutUrl(this.distribution, entry.admissionToken),
				grant: entry.admissionToken,
				claimBy: entry.claimBy ?? null,
			});
		}
	}

	private async enter(accessCode?: string): Promise<void> {
		this.busy = true;
		try {
			const entered = await this.withAccessCode(() => this.client.draws.enter(this.distribution, { accessCode }));
			if (entered) this.apply(entered);
		} catch (err) {
			this.fail(err);
		} finally {
			this.busy = false;
		}
	}

	private async verify(): Promise<void> {
		this.busy = true;
		try {
			this.verification = await this.client.draws.verify(this.distribution);
		} catch (err) {
			this.fail(err);
		} finally {
			this.busy = false;
		}
	}

	override render() {
		return html`<div class="card" part="card">
			${this.error ? html`<p class="notice error" role="alert">${this.tr("error", { message: this.error })}</p>` : nothing}
			${this.body()}
			<slot name="turnstile"></slot>
		</div>
		${this.feed?.drawnAt ? this.panel() : nothing}`;
	}

	private body() {
		const e = this.entry;
		const drawnAt = this.feed?.drawnAt;
		const countdown =
			!drawnAt && this.drawAt
				? html`<p role="timer" aria-live="off">${this.tr("drawCountdown", { time: duration(this.s, this.secondsUntil(this.drawAt)) })}</p>`
				: nothing;
		const waitingBeacon =
			!drawnAt && this.feed?.awaitingBeacon ? html`<p class="note">${this.tr("drawAwaitingBeacon")}</p>` : nothing;
		if (this.codeAsked && !drawnAt) return html`${countdown} ${this.codeForm((code) => this.enter(code), this.busy)}`;
		if (!e || e.status === "LEFT")
			return html`${countdown}
				<button type="button" ?disabled=${this.busy || !!drawnAt} @click=${() => this.enter()}>${this.tr("drawEnter")}</button>
				${this.busy ? html`<p class="note" role="status">${this.tr("challengeWorking")}</p>` : nothing}`;
		let result: unknown = nothing;
		if (e.status === "WON" || e.status === "CLAIMED") {
			const url =
				e.checkoutUrl ?? (e.admissionToken ? this.client.checkoutUrl(this.distribution, e.admissionToken) : null);
			result = html`<p class="big ok" role="alert" data-state="won">${this.tr("drawWon", { time: e.claimBy ? new Date(e.claimBy).toLocaleString() : "" })}</p>
				${url ? html`<a class="button" href=${url}>${this.tr("drawCheckout")}</a>` : nothing}`;
		} else if (e.status === "LOST") {
			result = html`<p class="big" role="alert" data-state="lost">${this.tr("drawLost")}</p>`;
		}
		return html`
			<p data-state="entered" aria-live="polite">${e.status === "ENTERED" ? this.tr("drawEntered") : nothing}</p>
			${result} ${countdown} ${waitingBeacon}
			<details>
				<summary>${this.tr("drawReceipt")}</summary>
				<dl>
					<dt>Entry</dt><dd><code>${e.receipt.entryId}</code></dd>
					<dt>Log #</dt><dd>${e.receipt.seq}</dd>
					<dt>Root</dt><dd><code>${e.receipt.root}</code></dd>
					<dt>Round R</dt><dd>${e.receipt.round}</dd>
				</dl>
			</details>`;
	}

	private panel() {
		const v = this.verification;
		return html`<section class="card" aria-labelledby="verify-title">
			<h2 id="verify-title">${this.tr("drawVerifyTitle")}</h2>
			<p class="note">${this.tr("drawVerifyIntro")}</p>
			<button type="button" ?disabled=${this.busy} @click=${() => this.verify()}>${this.tr("drawVerifyButton")}</button>
			<div aria-live="polite">
				${
					v
						? html`<p class="big ${v.ok ? "ok" : "bad"}" data-testid="verdict">${v.ok ? this.tr("drawVerified") : this.tr("drawNotVerified")}</p>
							${v.devChain ? html`<p class="note">${this.tr("drawDevChain")}</p>` : nothing}
							<ul class="checks">
								${v.checks.map(
									(c) => html`<li data-ok=${String(c.ok)}>
										<span class=${c.ok ? "ok" : "bad"} aria-hidden="true">${c.ok ? "✔" : "✘"}</span>
										<strong>${c.name}</strong> — ${c.detail}
										${c.ok ? nothing : html`<br /><span class="note">expected ${c.expected}, found ${c.found}</span>`}
									</li>`,
								)}
							</ul>`
						: nothing
				}
			</div>
		</section>`;
	}
}
