/**
 * Cloudflare Turnstile for the widgets: when a protected call needs a token, the SDK asks
 * `turnstileToken`, which renders Turnstile (explicit rendering, `window.turnstile` from
 * Cloudflare's script — the hosted page loads it for a Turnstile launch; a merchant's page loads
 * it itself) in the light DOM of the widget showing that distribution, in its `turnstile` slot,
 * so Cloudflare's iframe sits outside our shadow root. Resolves with the token the shopper earned.
 */
import type { TurnstileTokenSource } from "../../sdk/challenges.js";

interface TurnstileApi {
	render(el: HTMLElement, options: Record<string, unknown>): string | undefined;
	remove(id: string): void;
}

/** The widget element showing each distribution: where its challenge is rendered. */
const hosts = new Map<string, HTMLElement>();

export const hostTurnstile = (distributionId: string, el: HTMLElement) => hosts.set(distributionId, el);
export const unhostTurnstile = (distributionId: string, el: HTMLElement) => {
	if (hosts.get(distributionId) === el) hosts.delete(distributionId);
};

async function api(timeoutMs = 15_000): Promise<TurnstileApi> {
	const started = Date.now();
	for (;;) {
		const t = (globalThis as { turnstile?: TurnstileApi }).turnstile;
		if (t) return t;
		if (Date.now() - started > timeoutMs) throw new Error("Cloudflare Turnstile did not load on this page");
		await new Promise((r) => setTimeout(r, 100));
	}
}

export const turnstileToken: TurnstileTokenSource = async ({ siteKey, action, distributionId }) => {
	const host = hosts.get(distributionId);
	if (!host) throw new Error("No widget on this page shows this distribution");
	const turnstile = await api();
	const slot = document.createElement("div");
	slot.slot = "turnstile";
	host.append(slot);
	return new Promise<string>((resolve, reject) => {
		let id: string | undefined;
		const done = () =>
			setTimeout(() => {
				if (id) turnstile.remove(id);
				slot.remove();
			}, 0);
		id = turnstile.render(slot, {
			sitekey: siteKey,
			action,
			callback: (token: string) => {
				done();
				resolve(token);
			},
			"error-callback": () => {
				done();
				reject(new Error("The Turnstile challenge failed; try again"));
			},
		});
	});
};
