/**
 * `npm run build:sdk`: the SDK (src/sdk) to dist/ as ESM JavaScript plus .d.ts.
 * - declarations: `tsc -p tsconfig.sdk.json` (types reference the server's zod schemas, type-only);
 * - JavaScript: esbuild bundles the two entry points (`index`, `consumer`) with code splitting, so
 *   what the SDK shares with the server — the draw verifier, its hashing and the BLS check from
 *   @noble/curves — ships inside the SDK and one module serves Node and browsers alike;
 * - then a guard: the built JS imports nothing but its own chunks (no zod, no runtime dependency).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const out = join(root, "dist/sdk");

for (const dir of ["sdk", "schemas", "lib", "distributions"])
	rmSync(join(root, "dist", dir), { recursive: true, force: true });

execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.sdk.json")], {
	stdio: "inherit",
});

await build({
	entryPoints: { index: join(root, "src/sdk/index.ts"), consumer: join(root, "src/sdk/consumer.ts") },
	outdir: out,
	bundle: true,
	splitting: true,
	format: "esm",
	platform: "neutral",
	target: "es2022",
	chunkNames: "chunks/[name]-[hash]",
	logLevel: "warning",
});

const bad = [];
const files = [];
for (const dir of [out, join(out, "chunks")]) {
	for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
		files.push(file);
		const text = readFileSync(join(dir, file), "utf8");
		for (const m of text.matchAll(/(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']/g)) {
			const spec = m[1] ?? m[2];
			if (!/^\.\.?\/(chunks\/)?[\w.-]+\.js$/.test(spec)) bad.push(`${file}: ${spec}`);
		}
	}
}
if (bad.length) {
	console.error(`The SDK's JavaScript must import only its own modules:\n  ${bad.join("\n  ")}`);
	process.exit(1);
}
console.log(`dist/sdk: ${files.length} modules (ESM + .d.ts), no runtime dependencies`);
