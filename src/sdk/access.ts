/** Access codes on the shopper's enter calls: `{accessCode}` goes in the body, the rest are request options. */
import type { RequestOptions } from "./http.js";

/** An enter, buy-now (or bid) call's options: `accessCode` for launches whose sequence's access is `codes`. */
export interface EnterOptions extends RequestOptions {
	/** An access code of the sequence; needed once, the code then stays bound to this consumer. */
	accessCode?: string;
}

/** The body (none without a code, as before) and the request options of an enter call. */
export function enterArgs(options: EnterOptions = {}): [{ accessCode: string } | undefined, RequestOptions] {
	const { accessCode, ...rest } = options;
	return [accessCode === undefined ? undefined : { accessCode }, rest];
}
