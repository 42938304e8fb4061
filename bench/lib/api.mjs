/** Small JSON client for scenario setup calls (not for load). `timeoutMs` (default 30 s) bounds one call. */
export function apiClient(baseUrl) {
	return async function api(method, path, { token, body, headers = {}, expect, timeoutMs = 30_000 } = {}) {
		const res = await fetch(new URL(path, baseUrl), {
			method,
			headers: {
				...(token ? { Authorization: `Bearer ${token}` } : {}),
				...(body === undefined ? {} : { "Content-Type": "application/json" }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {}
		const expected = expect === undefined ? res.ok : [expect].flat().includes(res.status);
		if (!expected) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
		return { status: res.status, json, text, headers: res.headers };
	};
}

/** `YYYY-MM-DDTHH:mm:ssZ`, the API's own output format. */
export const iso = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
