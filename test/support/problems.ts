/** Assertions on the API's one error shape: RFC 9457 problem details (src/http/problems.ts). */
import { expect } from "vitest";

export interface Problem {
	type: string;
	title: string;
	status: number;
	detail?: string;
	errors?: { path: string; message: string }[];
}

interface Answer {
	status: number;
	headers: Headers;
	json: any;
	text: string;
}

const PROBLEM_KEYS = new Set(["type", "title", "status", "detail", "errors"]);

/**
 * The response is a problem: `application/problem+json`, nothing but type (`/problems/<slug>`),
 * a title, the response's own status, a string detail and a non-empty list of {path, message}
 * errors. With `status` (and `title`) it must also be that status (and title); with a
 * `context` string instead, any error status will do and failures name the context.
 */
export function expectProblem(res: Answer, status: number, title?: string): Problem;
export function expectProblem(res: Answer, context: string): Problem;
export function expectProblem(res: Answer, statusOrContext: number | string, title?: string): Problem {
	const answer = `${res.status} ${res.text.slice(0, 300)}`;
	const where = typeof statusOrContext === "string" ? `${statusOrContext} → ${answer}` : answer;
	if (typeof statusOrContext === "number") expect(res.status, where).toBe(statusOrContext);
	expect(res.headers.get("Content-Type"), where).toMatch(/^application\/problem\+json/);
	const p = res.json;
	expect(p !== null && typeof p === "object" && !Array.isArray(p), where).toBe(true);
	for (const k of Object.keys(p)) expect(PROBLEM_KEYS.has(k), `${where}: unexpected key ${k}`).toBe(true);
	expect(p.type, where).toMatch(/^\/problems\/[a-z0-9-]+$/);
	expect(typeof p.title === "string" && p.title.length > 0, where).toBe(true);
	expect(p.status, where).toBe(res.status);
	if ("detail" in p) expect(typeof p.detail, where).toBe("string");
	if ("errors" in p) {
		expect(Array.isArray(p.errors) && p.errors.length > 0, where).toBe(true);
		for (const e of p.errors) {
			expect(Object.keys(e).sort(), where).toEqual(["message", "path"]);
			expect(typeof e.path === "string" && typeof e.message === "string", where).toBe(true);
		}
	}
	if (title) expect(p.title, where).toBe(title);
	return p as Problem;
}

/** A 400 Validation failed whose errors name `path` (exactly, or as one of a comma-joined list). */
export function expectFieldError(res: Answer, path: string): Problem {
	const p = expectProblem(res, 400, "Validation failed");
	expect(p.errors?.length, res.text).toBeGreaterThan(0);
	const paths = (p.errors ?? []).flatMap((e) => e.path.split(/,\s*/));
	expect(paths, res.text).toContain(path);
	return p;
}
