/**
 * The contracts of `/api/v1/queues`, `/api/v1/draws` and `/api/v1/auctions`: the same five
 * routes for each type, built from that type's schemas. An id of another type is a 404.
 */
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { TYPE_NAMES } from "./engine";
import * as schemas from "./schema";
import { type DistributionType, STATUSES } from "./status";

const SHAPES = {
	queue: { create: schemas.createQueueBody, update: schemas.updateQueueBody, response: schemas.queueSchema },
	draw: { create: schemas.createDrawBody, update: schemas.updateDrawBody, response: schemas.drawSchema },
	auction: { create: schemas.createAuctionBody, update: schemas.updateAuctionBody, response: schemas.auctionSchema },
} as const;

export function distributionContracts(type: DistributionType) {
	const { create, update, response } = SHAPES[type];
	const name = TYPE_NAMES[type];
	const tags = [`${name}s`];
	const security = SECURITY.secret;
	const notFound = { 404: `${name} not found` };
	const listQuery = pageQuery.extend({
		sequenceId: z.string().max(100).optional(),
		status: z.enum(STATUSES[type]).optional(),
	});

	return {
		create: createRoute({
			method: "post",
			path: "/",
			tags,
			summary: `Create a ${type}`,
			security,
			request: { body: jsonBody(create) },
			responses: { 201: json(response), ...errors() },
		}),
		list: createRoute({
			method: "get",
			path: "/",
			tags,
			summary: `List ${type}s (filter by sequenceId, status)`,
			security,
			request: { query: listQuery },
			responses: { 200: json(pageSchema(response)), ...errors() },
		}),
		get: createRoute({
			method: "get",
			path: "/{id}",
			tags,
			summary: `Get a ${type}`,
			security,
			request: { params: idParam },
			responses: { 200: json(response), ...errors(notFound) },
		}),
		update: createRoute({
			method: "put",
			path: "/{id}",
			tags,
			summary: `Update a ${type} (partial)`,
			description:
				"Moving a time reschedules its transitions. CLOSED (or later) distributions cannot change." +
				(type === "auction"
					? " The rules freeze at the first bid: once the auction has a bid, a PUT that changes startingBid, minimumIncrement, reservePrice, buyNowPrice, softCloseSeconds or maxExtensionSeconds is a 409 `Auction rules frozen` naming each field, and nothing is updated (resending a value unchanged is fine; times, name and metadata can still change)."
					: ""),
			security,
			request: { params: idParam, body: jsonBody(update) },
			responses: {
				200: json(response),
				...errors({
					...notFound,
					409:
						type === "auction"
							? "Cannot update closed distribution; Auction rules frozen (after the first bid)"
							: "Cannot update closed distribution",
				}),
			},
		}),
		remove: createRoute({
			method: "delete",
			path: "/{id}",
			tags,
			summary: `Delete a ${type}`,
			description:
				"Removes a DRAFT, SCHEDULED or OPEN distribution and all its live state; an OPEN one with participants must be closed first. " +
				"One that has closed, drawn or settled is never deleted (409 `Distribution has evidence`): its record, proof and log stay readable.",
			security,
			request: { params: idParam },
			responses: {
				204: empty(),
				...errors({ ...notFound, 409: "Distribution has participants; Distribution has evidence (closed or later)" }),
			},
		}),
	};
}

export type DistributionContracts = ReturnType<typeof distributionContracts>;
