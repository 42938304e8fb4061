#!/usr/bin/env node
// Bundles the storefront widgets (src/pages/widgets, Lit + the consumer SDK) into
// public/widget.js, the ES module the hosted pages and merchants' pages load from this worker.
// Run with the docs assets (npm install's postinstall, npm run dev, vitest.config.ts, the
// browser harness); the output is not committed. Synchronous, and skipped when up to date.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WIDGET_SCRIPT = "/widget.js";
/** Lazily loaded parts (the draw verifier's BLS code): only a page that verifies fetches them. */
export const WIDGET_CHUNKS = "/widget-chunks/";

function newest(dir) {
	let t = 0;
	for (const name of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, name.name);
		t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
	}
	return t;
}

export function buildWidget({ force = false } = {}) {
	const target = join(ROOT, "public", WIDGET_SCRIPT);
	mkdirSync(dirname(target), { recursive: true });
	const sources = ["src/pages/widgets", "src/pages/common", "src/sdk", "src/distributions/draw", "src/lib"].map((d) =>
		join(ROOT, d),
	);
	// Merchants' pages load the module from another origin: module scripts need CORS. The assets
	// router serves these files before the worker runs, so the header goes in its _headers file.
	writeFileSync(
		join(ROOT, "public", "_headers"),
		`${WIDGET_SCRIPT}\n  Access-Control-Allow-Origin: *\n${WIDGET_CHUNKS}*\n  Access-Control-Allow-Origin: *\n`,
	);
	let built = 0;
	try {
		built = statSync(target).mtimeMs;
	} catch {}
	if (!force && built > Math.max(...sources.map(newest), statSync(join(ROOT, "package-lock.json")).mtimeMs))
		return target;
	const { buildSync } = createRequire(import.meta.url)("esbuild");
	rmSync(join(ROOT, "public", WIDGET_CHUNKS), { recursive: true, force: true });
	mkdirSync(dirname(target), { recursive: true });
	buildSync({
		entryPoints: { widget: join(ROOT, "src/pages/widgets/index.ts") },
		splitting: true,
		chunkNames: "widget-chunks/[name]-[hash]",
		bundle: true,
		format: "esm",
		target: "es2022",
		minify: true,
		legalComments: "none",
		outdir: join(ROOT, "public"),
		tsconfig: join(ROOT, "tsconfig.widgets.json"),
		logLevel: "warning",
	});
	return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) buildWidget({ force: true });
