/**
 * Lists: `await list()` is the first page `{ data, nextCursor }`; `for await (const x of list())`
 * walks every item of every page, following `nextCursor` until it is null.
 */

/** One page of a list, exactly as the API sends it. */
export interface Page<T> {
	data: T[];
	/** Pass back as `cursor` for the next page; null on the last one. */
	nextCursor: string | null;
}

/** `limit` (1–100, default 50) and `cursor` (a previous page's `nextCursor`). */
export interface PageParams {
	limit?: number;
	cursor?: string;
}

/**
 * The result of a `list()` call: a promise of the first page (usable wherever a Promise is) that is also an async
 * iterable over all items (`for await`), and over pages (`.pages()`).
 * The first page is fetched once, on first use; iterating after awaiting reuses it.
 */
export class PagePromise<T> implements Promise<Page<T>>, AsyncIterable<T> {
	private first: Promise<Page<T>> | undefined;
	readonly [Symbol.toStringTag] = "PagePromise";

	constructor(
		private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
		private readonly startCursor?: string,
	) {}

	private firstPage(): Promise<Page<T>> {
		this.first ??= this.fetchPage(this.startCursor);
		return this.first;
	}

	// biome-ignore lint/suspicious/noThenProperty: a list is deliberately awaitable (PromiseLike of its first page).
	then<A = Page<T>, B = never>(
		onfulfilled?: ((value: Page<T>) => A | PromiseLike<A>) | null,
		onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
	): Promise<A | B> {
		return this.firstPage().then(onfulfilled, onrejected);
	}

	catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
		return this.firstPage().catch(onrejected);
	}

	finally(onfinally?: (() => void) | null): Promise<Page<T>> {
		return this.firstPage().finally(onfinally);
	}

	/** Every page, starting with the first, until `nextCursor` is null. */
	async *pages(): AsyncGenerator<Page<T>, void, undefined> {
		let page = await this.firstPage();
		for (;;) {
			yield page;
			if (!page.nextCursor) return;
			page = await this.fetchPage(page.nextCursor);
		}
	}

	async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
		for await (const page of this.pages()) yield* page.data;
	}

	/** Every item of every page in one array (at most `max`, default 10,000, to keep memory bounded). */
	async toArray(max = 10_000): Promise<T[]> {
		const out: T[] = [];
		for await (const item of this) {
			if (out.length >= max) break;
			out.push(item);
		}
		return out;
	}
}
