/**
 * fanfare-edge SDK (`fanfare-edge/sdk`): the merchant client for Node ≥ 18, Deno, Bun, Workers
 * and browsers. No dependencies: global `fetch` and WebCrypto only.
 *
 *   const admin = new FanfareAdmin({ secretKey, baseUrl });
 *   const queue = await admin.queues.create({ sequenceId, name: "Product Launch", admissionRate: 100 });
 *   for await (const q of admin.queues.list()) console.log(q.id);
 *
 * The shopper-side client is `FanfareConsumer` (`fanfare-edge/sdk/consumer`, re-exported here).
 */
export type { EnterOptions } from "./access.js";
export type { Jwk, Jwks, VerifyAdmissionOptions } from "./admission.js";
export {
	AUCTION_ALGORITHM,
	type AuctionGenesis,
	type AuctionHead,
	type AuctionLogEntry,
	type AuctionLogReport,
	checkAuctionLog,
	type PublishedAuctionLog,
	verifyHeadToken,
} from "./auction-log.js";
export {
	type ChallengeSolver,
	type ChallengeSolvers,
	defaultSolver,
	type TurnstileTokenSource,
} from "./challenges.js";
export {
	type AdmissionsResource,
	type ApiKeysResource,
	type AuctionsResource,
	type ConsumersResource,
	type DrawsResource,
	type EventsResource,
	type ExperiencesResource,
	FanfareAdmin,
	type FanfareAdminOptions,
	FanfareClient,
	type FanfareClientOptions,
	type OrdersResource,
	type ProductsResource,
	type QueuesResource,
	type Resource,
	type SequencesResource,
	type WebhookEndpointsResource,
	type WebhooksHelper,
} from "./client.js";
export {
	type ConsumerAuctions,
	type ConsumerQueues,
	FanfareConsumer,
	type FanfareConsumerOptions,
	type StorageLike,
} from "./consumer.js";
export type { ConsumerDraws, DrawVerification, HeldReceipt, PublishedLog } from "./draws.js";
export {
	FanfareConnectionError,
	FanfareError,
	type FanfareErrorInit,
	FanfareVerificationError,
	type FieldError,
	type VerificationFailure,
} from "./errors.js";
export type { FetchLike, RequestOptions, TransportOptions } from "./http.js";
export type { LiveState, WatchOptions, WebSocketFactory, WebSocketLike } from "./live.js";
export { type Page, type PageParams, PagePromise } from "./pagination.js";
export { solvePow } from "./pow.js";
export type * from "./types.js";
export {
	type HeadersLike,
	signWebhook,
	type VerifyWebhookOptions,
	verifyWebhook,
	WEBHOOK_TOLERANCE_SECONDS,
	type WebhookBody,
} from "./webhooks.js";
