/**
 * What every storefront widget shares: the attributes (`distribution`, `publishable-key`,
 * `base-url`, `lang`), one consumer SDK client per key and origin (a guest session kept in
 * localStorage, so a reload keeps the shopper's place), the strings, a ticking clock for
 * countdowns, and the DOM events a merchant's page listens to (bubbling, composed).
 */
import { css, html, LitElement } from "lit";
import { FanfareConsumer } from "../../sdk/consumer.js";
import { type StringKey, type Strings, strings, t } from "../common/i18n.js";
import { hostTurnstile, turnstileToken, unhostTurnstile } from "./turnstile.js";

const clients = new Map<string, FanfareConsumer>();

function safeStorage(): Storage | undefined {
	try {
		return window.localStorage;
	} catch {
		return undefined;
	}
}

export function consumerFor(publishableKey: string, baseUrl: string): FanfareConsumer {
	const id = `${baseUrl}|${publishableKey}`;
	let client = clients.get(id);
	if (!client) {
		client = new FanfareConsumer({
			publishableKey,
			baseUrl,
			storage: safeStorage(),
			backoffBaseMs: 500,
			turnstileToken,
		});
		clients.set(id, client);
	}
	return client;
}

export const baseStyles = css`
	:host {
		display: block;
		font: inherit;
		color: var(--fanfare-text, inherit);
	}
	.card {
		border: 1px solid var(--fanfare-border, #d0d4dc);
		border-radius: 12px;
		padding: 1rem 1.25rem;
		background: var(--fanfare-surface, #fff);
	}
	.big {
		font-size: 2.25rem;
		font-weight: 700;
		margin: 0.25rem 0;
	}
	dl {
		display: grid;
		grid-template-columns: 1fr auto;
		gap: 0.25rem 1rem;
		margin: 0.5rem 0;
	}
	dt {
		color: var(--fanfare-muted, #4a5160);
	}
	dd {
		margin: 0;
		font-weight: 600;
		text-align: right;
	}
	progress {
		width: 100%;
		height: 0.75rem;
		accent-color: var(--fanfare-accent, #1d4ed8);
	}
	button,
	a.button {
		display: inline-block;
		font: inherit;
		font-weight: 600;
		padding: 0.6rem 1.1rem;
		border-radius: 8px;
		border: 0;
		background: var(--fanfare-accent, #1d4ed8);
		color: var(--fanfare-accent-text, #fff);
		cursor: pointer;
		text-decoration: none;
	}
	button:focus-visible,
	a.button:focus-visible,
	input:focus-visible {
		outline: 3px solid var(--fanfare-focus, #f59e0b);
		outline-offset: 2px;
	}
	button[disabled] {
		opacity: 0.6;
		cursor: not-allowed;
	}
	.note {
		color: var(--fanfare-muted, #4a5160);
		font-size: 0.925rem;
	}
	.notice {
		padding: 0.6rem 0.8rem;
		border-radius: 8px;
		background: #fef3c7;
		color: #713f12;
		margin: 0.5rem 0;
	}
	.ok {
		color: #166534;
	}
	.bad {
		color: #991b1b;
	}
	.error {
		background: #fee2e2;
		color: #7f1d1d;
	}
	label {
		display: block;
		font-weight: 600;
		margin-top: 0.5rem;
	}
	input {
		font: inherit;
		padding: 0.45rem 0.6rem;
		border: 1px solid #6b7280;
		border-radius: 6px;
		width: 100%;
		box-sizing: border-box;
	}
	ul.checks {
		list-style: none;
		padding: 0;
	}
	ul.checks li {
		margin: 0.25rem 0;
		/* A check's detail can be a 64-digit hash or an entry id: it wraps inside the card on a phone. */
		overflow-wrap: anywhere;
	}
	code {
		word-break: break-all;
		font-size: 0.85rem;
	}
`;

export abstract class FanfareElement extends LitElement {
	static override properties = {
		distribution: { type: String },
		publishableKey: { type: String, attribute: "publishable-key" },
		baseUrl: { type: String, attribute: "base-url" },
		lang: { type: String },
		now: { state: true },
		error: { state: true },
		codeAsked: { state: true },
	};
	static override styles = baseStyles;

	declare distribution: string;
	declare publishableKey: string;
	declare baseUrl: string;
	declare now: number;
	declare error: string | null;
	/** Why an access code is wanted (the server's refusal), while the code form is shown. */
	declare codeAsked: string | null;
	private clock?: ReturnType<typeof setInterval>;
	private started = false;

	constructor() {
		super();
		this.distribution = "";
		this.publishableKey = "";
		this.baseUrl = "";
		this.now = Date.now();
		this.error = null;
		this.codeAsked = null;
	}

	get s(): Strings {
		return strings(this.lang || document.documentElement.lang);
	}

	tr(key: StringKey, vars?: Record<string, string | number>): string {
		return t(this.s, key, vars);
	}

	get client(): FanfareConsumer {
		return consumerFor(this.publishableKey, (this.baseUrl || location.origin).replace(/\/$/, ""));
	}

	/** A guest session unless one is kept already. */
	async session(): Promise<void> {
		if (!this.client.accessToken) await this.client.auth.guest();
	}

	override connectedCallback(): void {
		super.connectedCallback();
		hostTurnstile(this.distribution, this);
		this.clock = setInterval(() => {
			this.now = Date.now();
		}, 1000);
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		unhostTurnstile(this.distribution, this);
		clearInterval(this.clock);
		this.stop();
	}

	protected override firstUpdated(): void {
		if (this.started) return;
		this.started = true;
		if (!this.distribution || !this.publishableKey) {
			this.fail(new Error("the distribution and publishable-key attributes are required"));
			return;
		}
		this.start().catch((err) => this.fail(err));
	}

	/** Begins following the distribution (called once, when first rendered). */
	protected abstract start(): Promise<void>;
	/** Ends live subscriptions. */
	protected abstract stop(): void;

	/** Fires a composed, bubbling event; returns false when a listener called preventDefault(). */
	emit(type: string, detail: Record<string, unknown>, cancelable = false): boolean {
		return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
	}

	fail(err: unknown): void {
		const e = err as { message?: string; status?: number; title?: string; detail?: string };
		this.error = e?.detail ?? e?.title ?? e?.message ?? String(err);
		this.emit("fanfare-error", { message: this.error, status: e?.status ?? null });
	}

	/**
	 * Runs an enter; when the launch wants an access code (a 403 naming `accessCode`), shows the
	 * code form with the server's reason instead of an error, and returns null.
	 */
	async withAccessCode<T>(enter: () => Promise<T>): Promise<T | null> {
		try {
			const result = await enter();
			this.codeAsked = null;
			return result;
		} catch (err) {
			const e = err as { status?: number; errors?: { path: string }[]; detail?: string; title?: string };
			if (e?.status !== 403 || !e.errors?.some((f) => f.path === "accessCode")) throw err;
			this.codeAsked = e.detail ?? e.title ?? this.tr("accessCodeHelp");
			return null;
		}
	}

	/** The access code form; `submit` gets the code typed. */
	codeForm(submit: (code: string) => void, busy: boolean) {
		const onSubmit = (ev: Event) => {
			ev.preventDefault();
			const input = (ev.target as HTMLFormElement).elements.namedItem("accessCode") as HTMLInputElement;
			if (input.value.trim()) submit(input.value.trim());
		};
		return html`<form class="code" @submit=${onSubmit} data-state="code">
			<p class="notice" role="alert">${this.tr("accessCodeHelp")} <span class="note">${this.codeAsked}</span></p>
			<label for="fanfare-code">${this.tr("accessCode")}</label>
			<input id="fanfare-code" name="accessCode" autocomplete="one-time-code" required maxlength="100" />
			<p><button type="submit" ?disabled=${busy}>${this.tr("accessCodeSubmit")}</button></p>
		</form>`;
	}

	secondsUntil(iso: string | null | undefined): number {
		return iso ? Math.max(0, (Date.parse(iso) - this.now) / 1000) : 0;
	}
}
