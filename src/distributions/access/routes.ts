/**
 * The contracts of a sequence's access codes and allow-list (`/api/v1/sequences/{id}/access-codes`,
 * `/api/v1/sequences/{id}/allow-list`); mounted in the sequences router, behind its merchant guards.
 */
import { createRoute } from "@hono/zod-openapi";
import { empty, errors, json, jsonBody, SECURITY } from "../../http/openapi";
import { pageQuery, pageSchema } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import {
	accessCodeSchema,
	addAllowListBody,
	allowListAddedSchema,
	allowListEntrySchema,
	allowListRemovedSchema,
	codeParams,
	createAccessCodesBody,
	createdAccessCodesSchema,
	entryParams,
	listAccessCodesQuery,
	removeAllowListBody,
	revokeAccessCodesBody,
	revokedSchema,
} from "./schema";

const tags = ["Sequences: access"];
const security = SECURITY.secret;
const sequenceNotFound = { 404: "Sequence not found" };

export const createCodes = createRoute({
	method: "post",
	path: "/{id}/access-codes",
	tags,
	summary: "Create access codes (up to 1,000 at once): each is shown in this answer only",
	description:
		"For a sequence whose `access` is `codes`. A shopper sends one as `accessCode` when entering a queue or draw, bidding or buying now; " +
		"it binds to the first `maxUses` distinct consumers who redeem it (others get 403), and a bound consumer needs no code again while it is live.",
	security,
	request: { params: idParam, body: jsonBody(createAccessCodesBody) },
	responses: { 201: json(createdAccessCodesSchema), ...errors(sequenceNotFound) },
});

export const listCodes = createRoute({
	method: "get",
	path: "/{id}/access-codes",
	tags,
	summary: "List the sequence's access codes (newest first; the codes themselves are never shown again)",
	security,
	request: { params: idParam, query: pageQuery.extend(listAccessCodesQuery.shape) },
	responses: { 200: json(pageSchema(accessCodeSchema)), ...errors(sequenceNotFound) },
});

export const getCode = createRoute({
	method: "get",
	path: "/{id}/access-codes/{codeId}",
	tags,
	summary: "Get an access code",
	security,
	request: { params: codeParams },
	responses: { 200: json(accessCodeSchema), ...errors({ 404: "Sequence not found / Access code not found" }) },
});

export const revokeCode = createRoute({
	method: "post",
	path: "/{id}/access-codes/{codeId}/revoke",
	tags,
	summary: "Revoke an access code: it lets nobody in from now on (entries already made stay)",
	security,
	request: { params: codeParams },
	responses: { 200: json(accessCodeSchema), ...errors({ 404: "Sequence not found / Access code not found" }) },
});

export const revokeCodes = createRoute({
	method: "post",
	path: "/{id}/access-codes/revoke",
	tags,
	summary: "Revoke access codes in bulk: by ids, by batch, or all of the sequence's",
	security,
	request: { params: idParam, body: jsonBody(revokeAccessCodesBody) },
	responses: { 200: json(revokedSchema), ...errors(sequenceNotFound) },
});

export const listAllowList = createRoute({
	method: "get",
	path: "/{id}/allow-list",
	tags,
	summary: "List the sequence's allow-list (newest first)",
	security,
	request: { params: idParam, query: pageQuery },
	responses: { 200: json(pageSchema(allowListEntrySchema)), ...errors(sequenceNotFound) },
});

export const addToAllowList = createRoute({
	method: "post",
	path: "/{id}/allow-list",
	tags,
	summary: "Add consumers (by id) or emails to the allow-list (up to 1,000 at once)",
	description:
		"For a sequence whose `access` is `list`. Consumer ids must be your consumers'; an email may be one no consumer has yet, " +
		"and matches the consumer given it later. Emails are normalized (case, `+tag`, Gmail dots), so one mailbox is one entry.",
	security,
	request: { params: idParam, body: jsonBody(addAllowListBody) },
	responses: { 200: json(allowListAddedSchema), ...errors(sequenceNotFound) },
});

export const removeFromAllowList = createRoute({
	method: "post",
	path: "/{id}/allow-list/remove",
	tags,
	summary: "Remove consumers or emails from the allow-list (entries already made stay)",
	security,
	request: { params: idParam, body: jsonBody(removeAllowListBody) },
	responses: { 200: json(allowListRemovedSchema), ...errors(sequenceNotFound) },
});

export const removeAllowListEntry = createRoute({
	method: "delete",
	path: "/{id}/allow-list/{entryId}",
	tags,
	summary: "Remove one allow-list entry",
	security,
	request: { params: entryParams },
	responses: { 204: empty(), ...errors({ 404: "Sequence not found / Allow-list entry not found" }) },
});
