/** What a queue's refusals mean to the client, for its merchant and shopper routes alike. */
import { ApiError, conflict, notFound } from "../../http/problems";
import type { Refusals } from "../common/engine";
import type { QueueError } from "./object";

export const QUEUE_ERRORS: Refusals<QueueError> = {
	not_found: () => notFound("Queue"),
	not_open: () => conflict("Queue not open", "This queue does not take entries yet; try again when it opens."),
	closed: () => conflict("Queue closed", "This queue no longer takes entries."),
	sold_out: () => conflict("Sold out", "This queue's product has no stock left; nobody more is let in."),
	not_entered: () => new ApiError(404, "Not in queue", "This consumer has not entered this queue."),
	bad_ticket: () => new ApiError(401, "Invalid ticket", "The ticket is not one this queue issued to you."),
};
