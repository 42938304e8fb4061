/**
 * Which IP addresses and host names a webhook may never be sent to: pure functions, no DNS.
 * An address is parsed to bytes (IPv4 or IPv6, an embedded IPv4 tail included) and given the
 * class that makes it non-public — loopback, private, link-local, CGNAT, unique local,
 * IPv4-mapped, unspecified, multicast, metadata, … — or null when it is a public unicast address.
 * IPv4 spellings in decimal, octal or hex (`2130706433`, `0177.0.0.1`, `0x7f.1`) never reach
 * here as such: the WHATWG URL parser turns them into dotted quads first.
 */

/** `a.b.c.d` with each part 0–255, or null. */
export function parseIPv4(text: string): number[] | null {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (!m) return null;
	const parts = m.slice(1).map(Number);
	return parts.every((p) => p <= 255) ? parts : null;
}

/** An IPv6 address (with `::` and an optional dotted IPv4 tail) as 16 bytes, or null. */
export function parseIPv6(text: string): number[] | null {
	let s = text.toLowerCase();
	const tailStart = s.lastIndexOf(":") + 1;
	if (s.slice(tailStart).includes(".")) {
		const v4 = parseIPv4(s.slice(tailStart));
		if (!v4) return null;
		s = `${s.slice(0, tailStart)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
	}
	const halves = s.split("::");
	if (halves.length > 2) return null;
	const head = halves[0] ? halves[0].split(":") : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
	if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return null;
	const groups = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
	if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
	return groups.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]);
}

/** Why an IPv4 address is not a public destination, or null. */
export function ipv4Class([a, b, c, d]: number[]): string | null {
	if (a === 169 && b === 254 && c === 169 && d === 254) return "cloud metadata";
	if (a === 0) return "unspecified";
	if (a === 127) return "loopback";
	if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
	if (a === 100 && b >= 64 && b <= 127) return "shared (CGNAT)";
	if (a === 169 && b === 254) return "link-local";
	if (a >= 224 && a <= 239) return "multicast";
	if (a >= 240) return "reserved"; // 240/4 and the broadcast address
	if (a === 192 && b === 0 && (c === 0 || c === 2)) return "reserved"; // IETF assignments, TEST-NET-1
	if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return "reserved";
	if (a === 198 && (b === 18 || b === 19)) return "reserved"; // benchmarking
	return null;
}

const zeros = (bytes: number[], from: number, to: number) => bytes.slice(from, to).every((x) => x === 0);
const FD00_EC2_254 = parseIPv6("fd00:ec2::254");

/** Why an IPv6 address is not a public destination, or null. */
export function ipv6Class(bytes: number[]): string | null {
	if (FD00_EC2_254 && bytes.every((x, i) => x === FD00_EC2_254[i])) return "cloud metadata";
	if (zeros(bytes, 0, 16)) return "unspecified";
	if (zeros(bytes, 0, 15) && bytes[15] === 1) return "loopback";
	if (zeros(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return "IPv4-mapped";
	if (zeros(bytes, 0, 12)) return "IPv4-compatible";
	const [b0, b1, b2, b3] = bytes;
	// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address: that address decides.
	if (b0 === 0 && b1 === 0x64 && b2 === 0xff && b3 === 0x9b) {
		return zeros(bytes, 4, 12) ? ipv4Class(bytes.slice(12)) : "reserved";
	}
	if (b0 === 0x20 && b1 === 0x02) return ipv4Class(bytes.slice(2, 6));
	if (b0 === 0x20 && b1 === 0x01 && b2 === 0 && b3 === 0) return "Teredo tunnel";
	if (b0 === 0x20 && b1 === 0x01 && b2 === 0x0d && b3 === 0xb8) return "reserved"; // documentation
	if ((b0 & 0xfe) === 0xfc) return "unique local";
	if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return "link-local";
	if (b0 === 0xfe && (b1 & 0xc0) === 0xc0) return "site-local";
	if (b0 === 0xff) return "multicast";
	// Everything outside global unicast (2000::/3): discard-only, reserved, unassigned.
	if ((b0 & 0xe0) !== 0x20) return "reserved";
	return null;
}

/** The class of an address literal (IPv4 or IPv6, without brackets), null when public, undefined when not an address. */
export function addressClass(text: string): string | null | undefined {
	const v4 = parseIPv4(text);
	if (v4) return ipv4Class(v4);
	const v6 = text.includes(":") ? parseIPv6(text) : null;
	return v6 ? ipv6Class(v6) : undefined;
}

const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);
/** Names that only mean something on a local network (RFC 6761, 6762, 8375, and the usual private TLDs). */
const LOCAL_SUFFIXES = [".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp", ".private"];

/** Why a host name (lower case, no trailing dot) is not a public destination, or null. */
export function nameClass(host: string): string | null {
	if (METADATA_NAMES.has(host) || host.endsWith(".metadata.google.internal")) return "cloud metadata";
	if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
	if (!host.includes(".")) return "single-label (not public)";
	if (LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return "local-network";
	return null;
}

/** A URL's host as compared here: lower case, without IPv6 brackets or a trailing dot. */
export const normalHost = (hostname: string) =>
	hostname
		.toLowerCase()
		.replace(/^\[(.*)\]$/, "$1")
		.replace(/\.$/, "");

/** The class of a URL's host, address or name: null when it may be public (a name still has to resolve to public addresses). */
export function hostClass(hostname: string): { kind: "address" | "name"; cls: string | null } {
	const host = normalHost(hostname);
	const address = addressClass(host);
	return address === undefined ? { kind: "name", cls: nameClass(host) } : { kind: "address", cls: address };
}
