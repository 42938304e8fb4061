/** What a draw's refusals mean to the client. */
import { ApiError, conflict, notFound } from "../../http/problems";
import type { Refusals } from "../common/engine";
import type { DrawError } from "./types";

export const DRAW_ERRORS: Refusals<DrawError> = {
	not_found: () => notFound("Draw"),
	not_open: () => conflict("Draw not open", "This draw does not take entries yet."),
	closed: () => conflict("Draw closed", "This draw no longer takes entries or changes."),
	full: () => conflict("Draw full", "This draw has reached its maximum number of entries."),
	not_entered: () => new ApiError(404, "Not entered", "This consumer has not entered this draw."),
	bad_ticket: () => new ApiError(401, "Invalid ticket", "The ticket is not one this draw issued to you."),
};
