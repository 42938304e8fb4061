/**
 * The SDK's types, inferred from the zod schemas the server validates with. Every import
 * here is type-only: the built SDK carries no zod and no server code at runtime.
 * Request types are the schemas' inputs (`z.input`), responses their outputs (`z.output`).
 */
import type { z } from "zod";
import type {
	accessTokenSchema,
	consumerSchema,
	createConsumerBody,
	sessionSchema,
	updateConsumerBody,
} from "../catalog/consumers/schema.js";
import type { createOrderBody, orderSchema } from "../catalog/orders/schema.js";
import type { createProductBody, productSchema, updateProductBody } from "../catalog/products/schema.js";
import type {
	admissionValiditySchema,
	completeAdmissionBody,
	completedAdmissionSchema,
} from "../distributions/admissions/schema.js";
import type {
	auctionBidSchema,
	auctionPublicSchema,
	bidBody,
	bidderStateSchema,
} from "../distributions/auction/schema.js";
import type {
	auctionSchema,
	createAuctionBody,
	createDrawBody,
	createQueueBody,
	drawSchema,
	queueSchema,
	updateAuctionBody,
	updateDrawBody,
	updateQueueBody,
} from "../distributions/common/schema.js";
import type {
	drawEntrySchema,
	drawProofSchema,
	drawResultsSchema,
	drawStateSchema,
} from "../distributions/draw/schema.js";
import type { queueEntrySchema, queueStateSchema, queueStatsSchema } from "../distributions/queue/schema.js";
import type {
	createdWebhookEndpointSchema,
	createWebhookEndpointBody,
	rotatedWebhookSecretSchema,
	rotateWebhookSecretBody,
	updateWebhookEndpointBody,
	webhookDeliverySchema,
	webhookEndpointSchema,
} from "../events/webhooks/schema.js";
import type {
	createExperienceBody,
	experienceSchema,
	updateExperienceBody,
} from "../experiences/experiences/schema.js";
import type { createSequenceBody, sequenceSchema, updateSequenceBody } from "../experiences/sequences/schema.js";
import type { apiKeySchema, createApiKeyBody, createdApiKeySchema } from "../platform/api-keys/schema.js";
import type { PageParams } from "./pagination.js";

// ── catalog ──────────────────────────────────────────────────────────────
export type Product = z.output<typeof productSchema>;
export type ProductCreateParams = z.input<typeof createProductBody>;
export type ProductUpdateParams = z.input<typeof updateProductBody>;

export type Consumer = z.output<typeof consumerSchema>;
export type ConsumerCreateParams = z.input<typeof createConsumerBody>;
export type ConsumerUpdateParams = z.input<typeof updateConsumerBody>;
/** `kind`: `merchant` (default, consumers with an email), `guest` or `all`. */
export type ConsumerListParams = PageParams & { email?: string; kind?: "merchant" | "guest" | "all" };
export type AccessToken = z.output<typeof accessTokenSchema>;
/** An access token with the refresh token that renews it (guest sign-up, refresh, `consumers.createToken`). */
export type ConsumerSession = z.output<typeof sessionSchema>;

export type Order = z.output<typeof orderSchema>;
export type OrderCreateParams = z.input<typeof createOrderBody>;
export type OrderListParams = PageParams & { consumerId?: string; distributionId?: string };

// ── experiences and sequences ────────────────────────────────────────────
export type Experience = z.output<typeof experienceSchema>;
export type ExperienceCreateParams = z.input<typeof createExperienceBody>;
export type ExperienceUpdateParams = z.input<typeof updateExperienceBody>;
export type Sequence = z.output<typeof sequenceSchema>;
export type SequenceCreateParams = z.input<typeof createSequenceBody>;
export type SequenceUpdateParams = z.input<typeof updateSequenceBody>;

// ── distributions ────────────────────────────────────────────────────────
export type Queue = z.output<typeof queueSchema>;
export type QueueCreateParams = z.input<typeof createQueueBody>;
export type QueueUpdateParams = z.input<typeof updateQueueBody>;
export type QueueStatus = Queue["status"];
export type QueueListParams = PageParams & { sequenceId?: string; status?: QueueStatus };
export type QueueStats = z.output<typeof queueStatsSchema>;
export type QueueEntry = z.output<typeof queueEntrySchema>;
export type QueueEntryListParams = PageParams & { status?: QueueEntry["status"] };
export type QueueEntryState = z.output<typeof queueStateSchema>;
export interface AdmitResult {
	admitted: number;
}

export type Draw = z.output<typeof drawSchema>;
export type DrawCreateParams = z.input<typeof createDrawBody>;
export type DrawUpdateParams = z.input<typeof updateDrawBody>;
export type DrawStatus = Draw["status"];
export type DrawListParams = PageParams & { sequenceId?: string; status?: DrawStatus };
export type DrawEntry = z.output<typeof drawEntrySchema>;
export type DrawResults = z.output<typeof drawResultsSchema>;
export type DrawEntryState = z.output<typeof drawStateSchema>;
export type DrawProof = z.output<typeof drawProofSchema>;
/** The draw's live feed: the proof's headline, on connect and at every change (sealed, awaiting the beacon, drawn). */
export type DrawLiveMessage = { type: "draw" } & Pick<
	DrawProof,
	"drawId" | "status" | "round" | "roundAt" | "log" | "seal" | "awaitingBeacon" | "drawnAt"
>;
export interface DrawExport {
	drawId: string;
	/** Every sealed entry id in Merkle leaf order. */
	entryIds: string[];
}

export type Auction = z.output<typeof auctionSchema>;
export type AuctionCreateParams = z.input<typeof createAuctionBody>;
export type AuctionUpdateParams = z.input<typeof updateAuctionBody>;
export type AuctionStatus = Auction["status"];
export type AuctionListParams = PageParams & { sequenceId?: string; status?: AuctionStatus };
export type AuctionBid = z.output<typeof auctionBidSchema>;
export type AuctionPublicState = z.output<typeof auctionPublicSchema>;
export type BidderState = z.output<typeof bidderStateSchema>;
export type BidParams = z.input<typeof bidBody>;

// ── keys, events, webhooks, admissions ───────────────────────────────────
export type ApiKey = z.output<typeof apiKeySchema>;
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;
export type ApiKeyCreateParams = z.input<typeof createApiKeyBody>;

export interface FanfareEvent {
	id: string;
	type: string;
	distributionId: string | null;
	data: Record<string, unknown>;
	createdAt: string;
}
export type EventListParams = PageParams & {
	/** An exact type (`queue.opened`) or a prefix (`queue.*`). */
	type?: string;
	distributionId?: string;
};

export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;
export type CreatedWebhookEndpoint = z.output<typeof createdWebhookEndpointSchema>;
export type WebhookEndpointCreateParams = z.input<typeof createWebhookEndpointBody>;
export type WebhookEndpointUpdateParams = z.input<typeof updateWebhookEndpointBody>;
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>;
export type RotatedWebhookSecret = z.output<typeof rotatedWebhookSecretSchema>;
export type WebhookSecretRotateParams = z.input<typeof rotateWebhookSecretBody>;
export interface WebhookTestResult {
	deliveryId: string;
	eventId: string;
}

/** The JSON body of a webhook delivery. */
export interface WebhookEvent<D = Record<string, unknown>> {
	id: string;
	type: string;
	/** The distribution the event is about (null for experience, sequence and test events). */
	distributionId: string | null;
	distributionType: "queue" | "draw" | "auction" | null;
	data: D;
	createdAt: string;
}

/** What every engine event's `data` names (`queue.consumer.admitted`, `draw.consumer.won`, `auction.outbid`, …). */
export interface EngineEventSubject {
	distributionId: string;
	distributionType: "queue" | "draw" | "auction";
	/** The sequence's product, or null. */
	productId: string | null;
}
export type ConsumerEventData = EngineEventSubject & { consumerId: string } & Record<string, unknown>;
/** `draw.consumer.lost`: up to 1,000 losers an event. */
export type DrawLostEventData = EngineEventSubject & { consumerIds: string[] };
/** `auction.settled`'s data besides `object`. */
export interface AuctionSettledEventData {
	object: Auction;
	winnerConsumerId: string | null;
	finalPrice: number | null;
	reserveMet: boolean;
}

export type AdmissionValidity = z.output<typeof admissionValiditySchema>;
export type CompletedAdmission = z.output<typeof completedAdmissionSchema>;
export type AdmissionCompleteParams = Omit<z.input<typeof completeAdmissionBody>, "token">;

/** The claims of a verified admission grant. */
export interface AdmissionClaims {
	iss: "fanfare-edge";
	typ: "admission";
	/** The consumer id. */
	sub: string;
	/** The organization id. */
	org: string;
	/** The distribution (queue, draw or auction) id. */
	dist: string;
	/** The grant id (single use: only the online check knows whether it was used). */
	jti: string;
	iat: number;
	exp: number;
}

// ── live updates ─────────────────────────────────────────────────────────
export type QueueLiveMessage =
	| ({ type: "status" } & QueueEntryState)
	| ({ type: "admitted" } & QueueEntryState)
	| { type: "progress"; nowServing: number; queued: number }
	/** The queue sold out: waiting on is only worth it for a restock. */
	| { type: "sold_out" };

export type AuctionLiveMessage =
	| ({ type: "price" } & AuctionPublicState)
	| { type: "extended"; closeAt: string; settleAt: string }
	| { type: "settled"; finalPrice: number | null; reserveMet: boolean; winner: string | null };
