/** Errors the SDK throws: every failed API call is a `FanfareError` carrying the RFC 9457 problem. */

export interface FieldError {
	path: string;
	message: string;
}

export interface FanfareErrorInit {
	status: number;
	title: string;
	type?: string;
	detail?: string;
	errors?: FieldError[];
	requestId?: string | null;
	headers?: Headers;
	cause?: unknown;
}

/**
 * An API call that did not succeed: the server's problem details (`status`, `title`,
 * `detail`, `errors[]`, `type`) and the `X-Request-Id` to quote to support.
 */
export class FanfareError extends Error {
	override readonly name: string = "FanfareError";
	/** HTTP status; 0 when no response arrived (see `FanfareConnectionError`). */
	readonly status: number;
	readonly title: string;
	readonly type: string;
	readonly detail: string | undefined;
	/** Field-level validation errors (`[{ path, message }]`); empty when none. */
	readonly errors: FieldError[];
	/** The `X-Request-Id` of the response, or null when there was none. */
	readonly requestId: string | null;
	/** The response headers (e.g. `Retry-After`, `RateLimit-*`), when a response arrived. */
	readonly headers: Headers | undefined;

	constructor(init: FanfareErrorInit) {
		const fields = init.errors?.length ? ` (${init.errors.map((e) => `${e.path}: ${e.message}`).join("; ")})` : "";
		super(`${init.status ? `${init.status} ` : ""}${init.title}${init.detail ? `: ${init.detail}` : ""}${fields}`, {
			cause: init.cause,
		});
		this.status = init.status;
		this.title = init.title;
		this.type = init.type ?? "about:blank";
		this.detail = init.detail;
		this.errors = init.errors ?? [];
		this.requestId = init.requestId ?? null;
		this.headers = init.headers;
	}
}

/** No response at all (network failure or timeout) after every retry was used. */
export class FanfareConnectionError extends FanfareError {
	override readonly name: string = "FanfareConnectionError";

	constructor(detail: string, cause?: unknown) {
		super({ status: 0, title: "Connection error", type: "about:blank", detail, cause });
	}
}

/** Why an admission grant or a webhook failed local verification. */
export type VerificationFailure =
	| "malformed"
	| "unknown_key"
	| "signature"
	| "issuer"
	| "type"
	| "expired"
	| "not_yet_valid"
	| "distribution"
	| "consumer"
	| "timestamp"
	| "missing_headers";

/** Thrown by `verifyAdmission` and `webhooks.verify` for a token or payload that must not be trusted. */
export class FanfareVerificationError extends Error {
	override readonly name: string = "FanfareVerificationError";

	constructor(
		readonly reason: VerificationFailure,
		message: string,
	) {
		super(message);
	}
}
