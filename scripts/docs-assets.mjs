#!/usr/bin/env node
// Copies the API reference's browser bundle from the installed @scalar/api-reference into
// the Workers static assets directory, so `/docs` needs no CDN (it works offline). Run after
// npm install, by `npm run dev` and by vitest.config.ts; the copy is not committed.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { copyConsoleAssets } from "./console-assets.mjs";
import { buildWidget } from "./pages-assets.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The URL `/docs` loads the bundle from; the file lives at the same path under `public/`. */
export const DOCS_SCRIPT = "/docs/scalar.js";

export function copyDocsAssets() {
	// The package does not export its browser bundle: find the package, then the file in it.
	const pkg = createRequire(join(ROOT, "package.json")).resolve.paths("@scalar/api-reference") ?? [];
	const source = pkg.map((dir) => join(dir, "@scalar/api-reference/dist/browser/standalone.js")).find(existsSync);
	if (!source) throw new Error("@scalar/api-reference is not installed: run npm install");
	const target = join(ROOT, "public", DOCS_SCRIPT);
	mkdirSync(dirname(target), { recursive: true });
	// Skip an identical copy: every test run and dev start calls this.
	let same = false;
	try {
		same = statSync(target).size === statSync(source).size && readFileSync(target).equals(readFileSync(source));
	} catch {}
	if (!same) copyFileSync(source, target);
	// The widgets' bundle is built at the same moments (it is up to date when its sources are).
	buildWidget();
	// The merchant console's files (uPlot, its script and stylesheet) go to public/ the same way.
	copyConsoleAssets();
	return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) copyDocsAssets();
