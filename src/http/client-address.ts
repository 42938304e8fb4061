/**
 * The client address every per-address limit counts against: Cloudflare's `CF-Connecting-IP`
 * (set by the edge, overwriting whatever the client sent; a local server trusts it as sent), with
 * an IPv6 address cut to its /64. One subscriber gets a whole /64 (RFC 6177 advises at least that,
 * and SLAAC hands out addresses inside it freely), so counting per full IPv6 address would give a
 * bot 2^64 budgets; an IPv4 address is counted as is. Owns no state.
 */

/** `CF-Connecting-IP` as the address limits count: `a:b:c:d::/64` for IPv6, the IPv4 as is; null without one. */
export function clientAddress(header: string | null | undefined): string | null {
	const raw = header?.trim().toLowerCase();
	if (!raw) return null;
	// Never a key longer than an address can be: junk stays one bounded key.
	if (!raw.includes(":")) return raw.slice(0, 45);
	return ipv6Prefix64(raw) ?? raw.slice(0, 45);
}

/** The /64 of an IPv6 address (leading zeros dropped, `::` expanded), an IPv4-mapped one as its IPv4; null if unparsable. */
function ipv6Prefix64(raw: string): string | null {
	const address = raw.replace(/^\[|\]$/g, "").split("%")[0];
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
	if (mapped) return mapped[1];
	const halves = address.split("::");
	if (halves.length > 2) return null;
	const head = halves[0] ? halves[0].split(":") : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
	// An embedded IPv4 tail (`…:1.2.3.4`) fills the last two groups: it is past the /64 anyway.
	const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
	const missing = 8 - width(head) - width(tail);
	if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
	const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
	const prefix = groups.slice(0, 4);
	if (!prefix.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
	return `${prefix.map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
