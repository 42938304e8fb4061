/**
 * One place per browser: the first tab following a distribution holds it; a later tab asks on a
 * BroadcastChannel whether anyone holds it and, if answered, stays out (the server would give
 * the same consumer the same place anyway, but two tabs would race two redirects). When the
 * holder closes, it says so and a waiting tab may take over.
 */
const ASK_MS = 300;

export interface TabClaim {
	/** True when another tab of this browser already follows the distribution. */
	elsewhere: boolean;
	release(): void;
}

export async function claimTab(name: string, onFreed: () => void): Promise<TabClaim> {
	if (typeof BroadcastChannel === "undefined") return { elsewhere: false, release() {} };
	const channel = new BroadcastChannel(`fanfare:${name}`);
	let holding = false;
	let answered = false;
	channel.onmessage = (ev) => {
		if (ev.data === "who" && holding) channel.postMessage("here");
		else if (ev.data === "here") answered = true;
		else if (ev.data === "gone" && !holding) onFreed();
	};
	channel.postMessage("who");
	await new Promise((r) => setTimeout(r, ASK_MS));
	holding = !answered;
	return {
		elsewhere: answered,
		release() {
			if (holding) channel.postMessage("gone");
			channel.close();
		},
	};
}
