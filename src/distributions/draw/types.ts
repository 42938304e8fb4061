/** The draw's reply and state types, shared by the object, its parts and the handlers. */
import type { Reply } from "../common/reply";
import type { Receipt } from "./receipt";

export type DrawError = "not_found" | "not_open" | "closed" | "full" | "not_entered" | "bad_ticket";
export type DrawReply<T> = Reply<T, DrawError>;
export type DrawConsumerStatus = "ENTERED" | "WON" | "LOST" | "LEFT" | "CLAIMED" | "EXPIRED";
/** The draw's own schedule kinds. */
export type DrawKind = "draw" | "rank" | "claims" | "lost";

export interface DrawState {
	consumerId: string;
	/** Follows this entry without the access token (`X-Draw-Ticket`): sealed to the draw and the consumer. */
	ticket: string;
	status: DrawConsumerStatus;
	receipt: Receipt;
	admissionToken?: string;
	claimBy?: string;
}
