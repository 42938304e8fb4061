#!/usr/bin/env node
// The merchant console's static files (src/pages/console/assets/, and uPlot's browser build from
// node_modules) copied into the Workers static assets directory under /console/assets/, so the
// console needs no CDN. Called by scripts/docs-assets.mjs (npm install, npm run dev, vitest.config.ts).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export function copyConsoleAssets() {
	const target = join(ROOT, "public", "console", "assets");
	mkdirSync(target, { recursive: true });
	const own = join(ROOT, "src", "pages", "console", "assets");
	for (const name of readdirSync(own)) copyFileSync(join(own, name), join(target, name));
	const dirs = createRequire(join(ROOT, "package.json")).resolve.paths("uplot") ?? [];
	const dist = dirs.map((d) => join(d, "uplot", "dist")).find((d) => existsSync(join(d, "uPlot.esm.js")));
	if (!dist) throw new Error("uplot is not installed: run npm install");
	for (const name of ["uPlot.esm.js", "uPlot.min.css"]) copyFileSync(join(dist, name), join(target, name));
	return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) copyConsoleAssets();
