/**
 * `<fanfare-auction>`: the live price and minimum next bid, a bid form with an optional proxy
 * maximum (the rules spelled out next to it), buy-now, the shopper's own state, and the outbid
 * and soft-close notices as they happen. Fires `fanfare-outbid`, and `fanfare-won` for the winner.
 */
import { html, nothing } from "lit";
import type { AuctionLiveMessage, AuctionPublicState, BidderState } from "../../sdk/types.js";
import { duration } from "../common/i18n.js";
import { FanfareElement } from "./base.js";

export class FanfareAuction extends FanfareElement {
	static override properties = {
		...FanfareElement.properties,
		currency: { type: String },
		pub: { state: true },
		me: { state: true },
		extendedTo: { state: true },
		busy: { state: true },
	};

	declare currency: string;
	declare pub: AuctionPublicState | null;
	declare me: BidderState | null;
	declare extendedTo: string | null;
	declare busy: boolean;
	private unwatch?: () => void;
	private fired = new Set<string>();

	constructor() {
		super();
		this.currency = "";
		this.pub = null;
		this.me = null;
		this.extendedTo = null;
		this.busy = false;
	}

	private money(n: number | null | undefined): string {
		if (n == null) return "—";
		return this.currency
			? new Intl.NumberFormat(undefined, { style: "currency", currency: this.currency }).format(n)
			: n.toFixed(2);
	}

	protected async start(): Promise<void> {
		await this.session();
		this.pub = await this.client.auctions.get(this.distribution);
		await this.refreshMe();
		this.unwatch = this.client.auctions.watch(this.distribution, (m) => this.onMessage(m), { pollIntervalMs: 3000 });
	}

	protected stop(): void {
		this.unwatch?.();
	}

	private onMessage(m: AuctionLiveMessage): void {
		if (m.type === "price") {
			this.pub = m;
			if (this.me && this.me.status !== "NOT_BID") this.refreshMe().catch(() => {});
		} else if (m.type === "extended") {
			this.extendedTo = m.closeAt;
			if (this.pub) this.pub = { ...this.pub, closeAt: m.closeAt, settleAt: m.settleAt };
		} else if (m.type === "settled") {
			this.refreshMe().catch(() => {});
			this.client.auctions
				.get(this.distribution)
				.then((p) => {
					this.pub = p;
				})
				.catch(() => {});
		}
	}

	private async refreshMe(): Promise<void> {
		try {
			this.applyMe(await this.client.auctions.status(this.distribution));
		} catch (err) {
			if ((err as { status?: number }).status !== 404) throw err;
		}
	}

	private applyMe(me: BidderState): void {
		const before = this.me?.status;
		this.me = me;
		if (me.status === "OUTBID" && before !== "OUTBID") {
			this.emit("fanfare-outbid", {
				distributionId: this.distribution,
				currentPrice: me.currentPrice,
				minimumNextBid: me.minimumNextBid,
			});
		}
		if (me.status === "WON" && me.admissionToken && !this.fired.has("won")) {
			this.fired.add("won");
			this.emit("fanfare-won", {
				distributionId: this.distribution,
				checkoutUrl: me.checkoutUrl ?? this.client.checkoutUrl(this.distribution, me.admissionToken),
				grant: me.admissionToken,
				finalPrice: me.finalPrice ?? null,
				claimBy: me.claimBy ?? null,
			});
		}
	}

	private async bid(ev: SubmitEvent): Promise<void> {
		ev.preventDefault();
		const form = ev.target as HTMLFormElement;
		const data = new FormData(form);
		const amount = Number(data.get("amount"));
		const max = String(data.get("maxAmount") ?? "").trim();
		this.busy = true;
		this.error = null;
		try {
			this.applyMe(
				await this.client.auctions.bid(this.distribution, { amount, ...(max ? { maxAmount: Number(max) } : {}) }),
			);
			this.pub = await this.client.auctions.get(this.distribution);
		} catch (err) {
			this.fail(err);
		} finally {
			this.busy = false;
		}
	}

	private async buyNow(): Promise<void> {
		this.busy = true;
		try {
			this.applyMe(await this.client.auctions.buyNow(this.distribution));
		} catch (err) {
			this.fail(err);
		} finally {
			this.busy = false;
		}
	}

	override render() {
		const p = this.pub;
		if (!p)
			return html`<div class="card">${this.error ? this.errorBox() : html`<p role="status">${this.tr("loading")}</p>`}</div>`;
		const open = p.status === "OPEN";
		const me = this.me;
		return html`<div class="card" part="card">
			${this.error ? this.errorBox() : nothing}
			<slot name="turnstile"></slot>
			<dl>
				<dt>${this.tr("auctionPrice")}</dt>
				<dd class="big" aria-live="polite" data-testid="price">${p.currentPrice == null ? this.tr("auctionNoBids") : this.money(p.currentPrice)}</dd>
				<dt>${this.tr("auctionMinimum")}</dt>
				<dd data-testid="minimum">${this.money(p.minimumNextBid)}</dd>
				<dt>${this.tr("auctionBids")}</dt>
				<dd>${p.bidCount}</dd>
				</dl>
			${p.closeAt ? html`<p role="timer" aria-live="off">${this.tr("auctionCloses", { time: duration(this.s, this.secondsUntil(p.closeAt)) })}</p>` : nothing}
			${p.reserveMet ? nothing : html`<p class="note">${this.tr("auctionReserve")}</p>`}
			<div aria-live="assertive">
				${this.extendedTo ? html`<p class="notice" data-state="extended">${this.tr("auctionExtended", { time: new Date(this.extendedTo).toLocaleTimeString() })}</p>` : nothing}
				${me?.status === "OUTBID" ? html`<p class="notice" data-state="outbid">${this.tr("auctionOutbid")}</p>` : nothing}
				${me?.status === "WINNING" ? html`<p class="ok" data-state="winning">${this.tr("auctionWinning")}</p>` : nothing}
				${me?.status === "WON" ? html`<p class="big ok" data-state="won">${this.tr("auctionWon", { price: this.money(me.finalPrice) })}</p>` : nothing}
				${me?.status === "LOST" ? html`<p data-state="lost">${this.tr("auctionLost")}</p>` : nothing}
			</div>
			${
				me?.status === "WON" && me.admissionToken
					? html`<a class="button" href=${me.checkoutUrl ?? this.client.checkoutUrl(this.distribution, me.admissionToken)}>${this.tr("drawCheckout")}</a>`
					: nothing
			}
			${open ? this.form(p) : html`<p class="note">${this.tr("auctionClosed")}</p>`}
		</div>`;
	}

	private errorBox() {
		return html`<p class="notice error" role="alert">${this.tr("error", { message: this.error ?? "" })}</p>`;
	}

	private form(p: AuctionPublicState) {
		return html`<form @submit=${(e: SubmitEvent) => this.bid(e)}>
				<label for="amount">${this.tr("auctionAmount")}</label>
				<input id="amount" name="amount" type="number" inputmode="decimal" step="0.01" required .min=${String(p.minimumNextBid)} .value=${String(p.minimumNextBid)} />
				<label for="max">${this.tr("auctionMax")}</label>
				<input id="max" name="maxAmount" type="number" inputmode="decimal" step="0.01" />
				<p class="note" id="rules">${this.tr("auctionRules")}</p>
				<button type="submit" ?disabled=${this.busy} aria-describedby="rules">${this.tr("auctionBid")}</button>
			</form>
			${
				p.buyNowPrice != null
					? html`<p><button type="button" ?disabled=${this.busy} @click=${() => this.buyNow()}>${this.tr("auctionBuyNow", { price: this.money(p.buyNowPrice) })}</button></p>`
					: nothing
			}`;
	}
}
