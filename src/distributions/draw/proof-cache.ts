/**
 * The drawn proof, kept in its object's memory: every entrant fetches it at once after the draw,
 * so its winner lists are read once and its JSON text serialized once, both kept until the lists
 * change (the draw, a backfill: `forget`) or the status does. Before the draw nothing is kept, as
 * the proof changes with every entry. Owns no table and no schedule kind; reads through
 * public-views.ts. Nothing to forget on a rollback: a rolled-back change only ever drops it.
 */
import { statusAt } from "../common/status";
import type { StoredTimeline } from "../kernel/object";
import { type Lottery, recordOf } from "./lottery";
import { type ProofBody, proofBody, proofOf, type WinnerLists, winnerLists } from "./public-views";

export class ProofCache {
	private winners: WinnerLists | null = null;
	private text: (ProofBody & { key: string }) | null = null;

	/** `signingKey`: read at each build, so a rotated keyring signs the next seal. */
	constructor(private readonly signingKey: () => string) {}

	/** The proof now: the winner lists (kept) once drawn. */
	proof(l: Lottery, t: StoredTimeline) {
		const drawn = recordOf(l).drawnAt != null;
		if (drawn) this.winners ??= winnerLists(l);
		return proofOf(l, t, this.signingKey(), drawn ? this.winners : null);
	}

	/** The proof as its JSON text and ETag: exactly `JSON.stringify(proof())`, kept once drawn. */
	async json(l: Lottery, t: StoredTimeline, now: number): Promise<ProofBody> {
		const key = recordOf(l).drawnAt != null ? `${statusAt("draw", t, now)}|${t.winnerCount}` : null;
		if (key && this.text?.key === key) return { body: this.text.body, etag: this.text.etag };
		const built = proofBody(await this.proof(l, t));
		if (key) this.text = { key, ...built };
		return built;
	}

	/** The winner lists changed (the draw, a backfill): both are built again at the next read. */
	forget(): void {
		this.winners = null;
		this.text = null;
	}
}
