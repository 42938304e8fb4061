/**
 * The merchant (server-side) client: every `/api/v1` resource with the calls the API offers.
 * `FanfareClient({ apiKey })` and `FanfareAdmin({ secretKey })` are the same class.
 */
import { type Jwks, JwksCache, type VerifyAdmissionOptions, verifyAdmissionToken } from "./admission.js";
import { envVar, type Query, type RequestOptions, Transport, type TransportOptions } from "./http.js";
import { type Page, type PageParams, PagePromise } from "./pagination.js";
import type {
	AdmissionClaims,
	AdmissionCompleteParams,
	AdmissionValidity,
	AdmitResult,
	ApiKey,
	ApiKeyCreateParams,
	Auction,
	AuctionBid,
	AuctionCreateParams,
	AuctionListParams,
	AuctionUpdateParams,
	CompletedAdmission,
	Consumer,
	ConsumerCreateParams,
	ConsumerListParams,
	ConsumerSession,
	ConsumerUpdateParams,
	CreatedApiKey,
	CreatedWebhookEndpoint,
	Draw,
	DrawCreateParams,
	DrawEntry,
	DrawExport,
	DrawListParams,
	DrawResults,
	DrawUpdateParams,
	EventListParams,
	Experience,
	ExperienceCreateParams,
	ExperienceUpdateParams,
	FanfareEvent,
	Order,
	OrderCreateParams,
	OrderListParams,
	Product,
	ProductCreateParams,
	ProductUpdateParams,
	Queue,
	QueueCreateParams,
	QueueEntry,
	QueueEntryListParams,
	QueueEntryState,
	QueueListParams,
	QueueStats,
	QueueUpdateParams,
	RotatedWebhookSecret,
	Sequence,
	SequenceCreateParams,
	SequenceUpdateParams,
	WebhookDelivery,
	WebhookEndpoint,
	WebhookEndpointCreateParams,
	WebhookEndpointUpdateParams,
	WebhookEvent,
	WebhookSecretRotateParams,
	WebhookTestResult,
} from "./types.js";
import { type HeadersLike, type VerifyWebhookOptions, verifyWebhook, type WebhookBody } from "./webhooks.js";

export interface FanfareClientOptions extends TransportOptions {
	/** Secret key `sk_live_…` (default: `FANFARE_API_KEY` / `FANFARE_SECRET_KEY` from the environment). */
	apiKey?: string;
	/** Same as `apiKey` (the name `FanfareAdmin` uses). */
	secretKey?: string;
}

/** create / get / update / delete / list, for the resources that have them all. */
export interface Resource<T, C, U, L extends PageParams = PageParams, Created = T> {
	create(params: C, options?: RequestOptions): Promise<Created>;
	get(id: string, options?: RequestOptions): Promise<T>;
	update(id: string, params: U, options?: RequestOptions): Promise<T>;
	delete(id: string, options?: RequestOptions): Promise<void>;
	/** The first page when awaited; every item when iterated with `for await`. */
	list(params?: L, options?: RequestOptions): PagePromise<T>;
}

export interface ProductsResource extends Resource<Product, ProductCreateParams, ProductUpdateParams> {}

export interface ConsumersResource
	extends Resource<Consumer, ConsumerCreateParams, ConsumerUpdateParams, ConsumerListParams> {
	/**
	 * A session for your logged-in shopper — an access token (1 h) and the refresh token (30 days)
	 * that renews it — to hand to its browser (`FanfareConsumer.setSession`).
	 */
	createToken(id: string, options?: RequestOptions): Promise<ConsumerSession>;
}

export interface OrdersResource
	extends Pick<Resource<Order, OrderCreateParams, never, OrderListParams>, "create" | "get" | "list"> {}

export interface ExperiencesResource extends Resource<Experience, ExperienceCreateParams, ExperienceUpdateParams> {
	sequences: {
		create(experienceId: string, params: SequenceCreateParams, options?: RequestOptions): Promise<Sequence>;
		list(experienceId: string, params?: PageParams, options?: RequestOptions): PagePromise<Sequence>;
	};
}

export interface SequencesResource
	extends Pick<Resource<Sequence, never, SequenceUpdateParams>, "get" | "update" | "delete"> {}

export interface QueuesResource extends Resource<Queue, QueueCreateParams, QueueUpdateParams, QueueListParams> {
	stats(id: string, options?: RequestOptions): Promise<QueueStats>;
	entries(id: string, params?: QueueEntryListParams, options?: RequestOptions): PagePromise<QueueEntry>;
	/** Admits up to `count` waiting consumers now, in line order, within maxCapacity. */
	admit(id: string, count: number, options?: RequestOptions): Promise<AdmitResult>;
	/** A waiting consumer loses its place, an admitted one its grant. */
	deny(
		id: string,
		consumerId: string,
		params?: { reason?: string },
		options?: RequestOptions,
	): Promise<QueueEntryState>;
}

export interface DrawsResource extends Resource<Draw, DrawCreateParams, DrawUpdateParams, DrawListParams> {
	entries(id: string, params?: PageParams, options?: RequestOptions): PagePromise<DrawEntry>;
	results(id: string, options?: RequestOptions): Promise<DrawResults>;
	/** Draws now (only while CLOSED): drawAt becomes now. */
	run(id: string, options?: RequestOptions): Promise<Draw>;
	/** Every sealed entry id in leaf order, for the standalone verifier (once the draw has closed). */
	exportEntries(id: string, options?: RequestOptions): Promise<DrawExport>;
}

export interface AuctionsResource
	extends Resource<Auction, AuctionCreateParams, AuctionUpdateParams, AuctionListParams> {
	bids(id: string, params?: PageParams, options?: RequestOptions): PagePromise<AuctionBid>;
}

export interface ApiKeysResource
	extends Pick<
		Resource<ApiKey, ApiKeyCreateParams, never, PageParams, CreatedApiKey>,
		"create" | "get" | "list" | "delete"
	> {}

export interface EventsResource extends Pick<Resource<FanfareEvent, never, never, EventListParams>, "get" | "list"> {}

export interface WebhookEndpointsResource
	extends Resource<
		WebhookEndpoint,
		WebhookEndpointCreateParams,
		WebhookEndpointUpdateParams,
		PageParams,
		CreatedWebhookEndpoint
	> {
	/** Sends a `webhook.test` event to this endpoint only. */
	test(id: string, options?: RequestOptions): Promise<WebhookTestResult>;
	deliveries(id: string, params?: PageParams, options?: RequestOptions): PagePromise<WebhookDelivery>;
	retryDelivery(id: string, deliveryId: string, options?: RequestOptions): Promise<{ deliveryId: string }>;
	/** A new signing secret (shown once); the previous one keeps signing for `gracePeriodSeconds` (default 24 h). */
	rotateSecret(id: string, params?: WebhookSecretRotateParams, options?: RequestOptions): Promise<RotatedWebhookSecret>;
}

export interface AdmissionsResource {
	/** Online check: genuine, unexpired, unused? (`{ valid, reason? }`, never throws for a bad grant). */
	validate(token: string, options?: RequestOptions): Promise<AdmissionValidity>;
	/** Uses the grant up (single use); a second use is a 409 `Admission already used`. */
	complete(token: string, params?: AdmissionCompleteParams, options?: RequestOptions): Promise<CompletedAdmission>;
	/** Offline check against the JWKS (signature, iss, typ, exp); throws `FanfareVerificationError`. */
	verifyAdmission(token: string, options?: VerifyAdmissionOptions): Promise<AdmissionClaims>;
}

export interface WebhooksHelper {
	/** Standard Webhooks verification of a delivery; returns the parsed event or throws `FanfareVerificationError`. */
	verify<D = Record<string, unknown>>(
		headers: HeadersLike,
		body: WebhookBody,
		secret: string,
		options?: VerifyWebhookOptions,
	): Promise<WebhookEvent<D>>;
}

const enc = encodeURIComponent;

export class FanfareClient {
	readonly products: ProductsResource;
	readonly consumers: ConsumersResource;
	readonly orders: OrdersResource;
	readonly experiences: ExperiencesResource;
	readonly sequences: SequencesResource;
	readonly queues: QueuesResource;
	readonly draws: DrawsResource;
	readonly auctions: AuctionsResource;
	readonly apiKeys: ApiKeysResource;
	readonly events: EventsResource;
	readonly webhookEndpoints: WebhookEndpointsResource;
	readonly admissions: AdmissionsResource;
	readonly webhooks: WebhooksHelper;

	/** The transport (base URL, retries, fetch): for calls the SDK does not wrap yet. */
	readonly http: Transport;
	private readonly keys: JwksCache;

	constructor(options: FanfareClientOptions = {}) {
		const key = options.apiKey ?? options.secretKey ?? envVar("FANFARE_API_KEY") ?? envVar("FANFARE_SECRET_KEY");
		if (!key) throw new TypeError("FanfareClient: pass apiKey (or secretKey), or set FANFARE_API_KEY");
		const t = new Transport(options, () => ({ Authorization: `Bearer ${key}` }));
		this.http = t;

		const get = <R>(path: string, o?: RequestOptions, query?: Query) => t.request<R>({ method: "GET", path, query }, o);
		const post = <R>(path: string, body: unknown, o?: RequestOptions) =>
			t.request<R>({ method: "POST", path, body }, o);
		const put = <R>(path: string, body: unknown, o?: RequestOptions) => t.request<R>({ method: "PUT", path, body }, o);
		const del = (path: string, o?: RequestOptions) => t.request<void>({ method: "DELETE", path }, o);
		const list = <R>(path: string, params: PageParams = {}, o?: RequestOptions) =>
			new PagePromise<R>((cursor) => get<Page<R>>(path, o, { ...(params as Query), cursor }), params.cursor);

		function resource<T, C, U, L extends PageParams = PageParams, Created = T>(
			base: string,
		): Resource<T, C, U, L, Created> {
			return {
				create: (params, o) => post<Created>(base, params, o),
				get: (id, o) => get<T>(`${base}/${enc(id)}`, o),
				update: (id, params, o) => put<T>(`${base}/${enc(id)}`, params, o),
				delete: (id, o) => del(`${base}/${enc(id)}`, o),
				list: (params, o) => list<T>(base, params, o),
			};
		}

		const consumers = resource<Consumer, ConsumerCreateParams, ConsumerUpdateParams, ConsumerListParams>(
			"/api/v1/consumers",
		);
		this.products = resource<Product, ProductCreateParams, ProductUpdateParams>("/api/v1/products");
		this.consumers = {
			...consumers,
			createToken: (id, o) => post<ConsumerSession>(`/api/v1/consumers/${enc(id)}/tokens`, undefined, o),
		};
		const orders = resource<Order, OrderCreateParams, never, OrderListParams>("/api/v1/orders");
		this.orders = { create: orders.create, get: orders.get, list: orders.list };

		this.experiences = {
			...resource<Experience, ExperienceCreateParams, ExperienceUpdateParams>("/api/v1/experiences"),
			sequences: {
				create: (experienceId, params, o) =>
					post<Sequence>(`/api/v1/experiences/${enc(experienceId)}/sequences`, params, o),
				list: (experienceId, params, o) =>
					list<Sequence>(`/api/v1/experiences/${enc(experienceId)}/sequences`, params, o),
			},
		};
		const sequences = resource<Sequence, never, SequenceUpdateParams>("/api/v1/sequences");
		this.sequences = { get: sequences.get, update: sequences.update, delete: sequences.delete };

		const q = "/api/v1/queues";
		this.queues = {
			...resource<Queue, QueueCreateParams, QueueUpdateParams, QueueListParams>(q),
			stats: (id, o) => get<QueueStats>(`${q}/${enc(id)}/stats`, o),
			entries: (id, params, o) => list<QueueEntry>(`${q}/${enc(id)}/entries`, params, o),
			admit: (id, count, o) => post<AdmitResult>(`${q}/${enc(id)}/admit`, { count }, o),
			deny: (id, consumerId, params, o) =>
				post<QueueEntryState>(`${q}/${enc(id)}/entries/${enc(consumerId)}/deny`, params ?? {}, o),
		};

		const d = "/api/v1/draws";
		this.draws = {
			...resource<Draw, DrawCreateParams, DrawUpdateParams, DrawListParams>(d),
			entries: (id, params, o) => list<DrawEntry>(`${d}/${enc(id)}/entries`, params, o),
			results: (id, o) => get<DrawResults>(`${d}/${enc(id)}/results`, o),
			run: (id, o) => post<Draw>(`${d}/${enc(id)}/run`, undefined, o),
			exportEntries: (id, o) => get<DrawExport>(`${d}/${enc(id)}/entries/export`, o),
		};

		const a = "/api/v1/auctions";
		this.auctions = {
			...resource<Auction, AuctionCreateParams, AuctionUpdateParams, AuctionListParams>(a),
			bids: (id, params, o) => list<AuctionBid>(`${a}/${enc(id)}/bids`, params, o),
		};

		const keys = resource<ApiKey, ApiKeyCreateParams, never, PageParams, CreatedApiKey>("/api/v1/api-keys");
		this.apiKeys = { create: keys.create, get: keys.get, list: keys.list, delete: keys.delete };

		const events = resource<FanfareEvent, never, never, EventListParams>("/api/v1/events");
		this.events = { get: events.get, list: events.list };

		const w = "/api/v1/webhook-endpoints";
		this.webhookEndpoints = {
			...resource<
				WebhookEndpoint,
				WebhookEndpointCreateParams,
				WebhookEndpointUpdateParams,
				PageParams,
				CreatedWebhookEndpoint
			>(w),
			test: (id, o) => post<WebhookTestResult>(`${w}/${enc(id)}/test`, undefined, o),
			deliveries: (id, params, o) => list<WebhookDelivery>(`${w}/${enc(id)}/deliveries`, params, o),
			rotateSecret: (id, params, o) => post<RotatedWebhookSecret>(`${w}/${enc(id)}/rotate-secret`, params ?? {}, o),
			retryDelivery: (id, deliveryId, o) =>
				post<{ deliveryId: string }>(`${w}/${enc(id)}/deliveries/${enc(deliveryId)}/retry`, undefined, o),
		};

		// The JWKS is public: fetched without the secret key (and so cacheable on the way).
		this.keys = new JwksCache(() =>
			t.request<Jwks>({ method: "GET", path: "/.well-known/jwks.json", anonymous: true }),
		);
		this.admissions = {
			validate: (token, o) => post<AdmissionValidity>("/api/v1/admissions/validate", { token }, o),
			complete: (token, params, o) => post<CompletedAdmission>("/api/v1/admissions/complete", { ...params, token }, o),
			verifyAdmission: (token, opts) => this.verifyAdmission(token, opts),
		};
		this.webhooks = { verify: (headers, body, secret, opts) => verifyWebhook(headers, body, secret, opts) };
	}

	/**
	 * Verifies an admission grant offline: its EdDSA signature against `${baseUrl}/.well-known/jwks.json`
	 * (fetched once and cached, refetched for an unknown key id), `iss` "fanfare-edge", `typ` "admission"
	 * and `exp`. Returns the claims, or throws `FanfareVerificationError`. Whether the grant was already
	 * used only `admissions.validate` (online) can tell.
	 */
	verifyAdmission(token: string, options?: VerifyAdmissionOptions): Promise<AdmissionClaims> {
		return verifyAdmissionToken(token, this.keys, options);
	}
}

/** The name the Distributions API's "SDK Usage" uses: the same client, constructed with `secretKey`. */
export const FanfareAdmin = FanfareClient;
export type FanfareAdmin = FanfareClient;
export type FanfareAdminOptions = FanfareClientOptions;
