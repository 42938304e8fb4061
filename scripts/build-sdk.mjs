/**
 * `npm run build:sdk`: the SDK (src/sdk) to dist/ as ESM JavaScript plus .d.ts.
 * - declarations: `tsc -p tsconfig.sdk.json` (types reference the server's zod schemas, type-only);
 * - JavaScript: each src/sdk file transpiled on its own (TypeScript's transpileModule), so the
 *   output is one module per source file and type-only imports vanish;
 * - then a guard: the built JS may import nothing but its sibling SDK modules (no zod, no server code).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const ts = require("typescript");
const src = join(root, "src/sdk");
const out = join(root, "dist/sdk");

for (const dir of ["sdk", "schemas", "lib"]) rmSync(join(root, "dist", dir), { recursive: true, force: true });

execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.sdk.json")], {
	stdio: "inherit",
});

mkdirSync(out, { recursive: true });
const files = readdirSync(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
for (const file of files) {
	const { outputText, diagnostics } = ts.transpileModule(readFileSync(join(src, file), "utf8"), {
		fileName: file,
		reportDiagnostics: true,
		compilerOptions: {
			target: ts.ScriptTarget.ES2022,
			module: ts.ModuleKind.ESNext,
			isolatedModules: true,
			removeComments: false,
		},
	});
	if (diagnostics?.length) {
		console.error(ts.formatDiagnostics(diagnostics, ts.createCompilerHost({})));
		process.exit(1);
	}
	writeFileSync(join(out, file.replace(/\.ts$/, ".js")), outputText);
}

const bad = [];
for (const file of readdirSync(out).filter((f) => f.endsWith(".js"))) {
	const text = readFileSync(join(out, file), "utf8");
	for (const m of text.matchAll(/(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']/g)) {
		const spec = m[1] ?? m[2];
		if (!/^\.\/[\w-]+\.js$/.test(spec)) bad.push(`${file}: ${spec}`);
	}
}
if (bad.length) {
	console.error(`The SDK's JavaScript must import only its own modules:\n  ${bad.join("\n  ")}`);
	process.exit(1);
}
console.log(`dist/sdk: ${files.length} modules (ESM + .d.ts), no runtime dependencies`);
