/** Renders a bench run as Markdown (bench/RESULTS.md) and as a console summary. */

const n0 = (v) => (v == null || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"));
const n1 = (v) => (v == null || Number.isNaN(v) ? "–" : v.toFixed(1));
const n2 = (v) => (v == null || Number.isNaN(v) ? "–" : v.toFixed(2));
const ms = (v) => (v == null ? "–" : v < 10 ? v.toFixed(2) : v.toFixed(1));
const table = (head, rows) =>
	[`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`]
		.concat(rows.map((r) => `| ${r.join(" | ")} |`))
		.join("\n");

/** How many cores the runner's workerd processes kept busy over the window. */
const cores = (r) => r.cpu.workerdUs / (r.seconds * 1e6);

/** req/s in the first and the last two full seconds of the run: a drift shows state growing (or warming up). */
function trend(row) {
	const full = (row.perSecond ?? []).slice(0, Math.floor(row.seconds));
	if (full.length < 5) return "–";
	const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
	return `${n0(avg(full.slice(0, 2)))} → ${n0(avg(full.slice(-2)))}`;
}

function statusCodes(row) {
	const codes = Object.entries(row.statusCodes ?? {})
		.map(([k, v]) => `${k}×${v}${row.expectedStatuses?.includes(Number(k)) ? " (expected, not an error)" : ""}`)
		.join(", ");
	const extra = [row.errors ? `socket errors ${row.errors}` : "", row.timeouts ? `timeouts ${row.timeouts}` : ""]
		.filter(Boolean)
		.join(", ");
	return [codes, extra].filter(Boolean).join("; ");
}

function comparisonSection(cmp) {
	if (!cmp) return "";
	const rows = cmp.rows.map((r) => [
		r.runnerLabel,
		n0(r.rps),
		ms(r.latency.p50),
		ms(r.latency.p99),
		String(r.errorCount),
		n0(r.cpu.workerdUsPerReq),
		n0(r.cpu.nodeUsPerReq),
		n2(cores(r)),
		n0(r.cpu.machineBusyPct),
		n0(r.cpu.otherPct),
	]);
	const [a, b] = [...cmp.rows].sort((x, y) => y.rps - x.rps);
	return `## Runners: \`wrangler dev\` vs Miniflare direct (GET /healthz)

Both serve the same bundle (\`wrangler deploy --dry-run\` of the working tree), with a
migrated local D1 and the bench's own secrets, measured one after the other with the same load.

${table(
	[
		"runner",
		"req/s",
		"p50 ms",
		"p99 ms",
		"errors",
		"workerd CPU µs/req",
		"runner Node CPU µs/req",
		"workerd cores",
		"machine busy %",
		"other procs %",
	],
	rows,
)}

**${a.runnerLabel}** is faster: ${n0(a.rps)} vs ${n0(b.rps)} req/s (**${n2(a.rps / b.rps)}×**). The scenarios below run on it.
\`wrangler dev\` puts a second workerd (its proxy worker) in front of the worker and logs every
request through its Node process; Miniflare direct is one workerd whose entry worker routes straight to the worker.
`;
}

/**
 * Floor rows (scenarios/floor.mjs) of this run. A row the scenario measured itself wins (its `healthz`,
 * closest in time; the draw's `proof-bytes`), else the floor scenario's.
 */
function floorRow(run, s, label) {
	// A scenario's own row of that name first: its healthz, or a floor it measured next to its rows (`proof-bytes`).
	const own = s.rows?.find((r) => r.label === label);
	if (own) return own;
	return run.scenarios.find((x) => x.name === "floor" && !x.error)?.rows.find((r) => r.label === label) ?? null;
}

/** A row's issue-18 target: workerd CPU per request ≤ max × its floor row's, and zero errors. */
function floorTarget(run, s, r) {
	const t = s.floors?.[r.label];
	if (!t) return null;
	const f = floorRow(run, s, t.floor);
	const ratio = f ? r.cpu.workerdUsPerReq / f.cpu.workerdUsPerReq : null;
	return { ...t, ratio, floorUs: f?.cpu.workerdUsPerReq, ok: ratio != null && ratio <= t.max && r.errorCount === 0 };
}

/** Every target of the run, judged: the floor ratios of the rows plus what scenarios judged themselves (`targetResults`). */
function targetList(run) {
	const out = [];
	for (const s of run.scenarios) {
		if (s.error) continue;
		for (const r of s.rows) {
			const t = floorTarget(run, s, r);
			if (!t) continue;
			out.push({
				what: `${s.name} \`${r.label}\` CPU/req ≤ ${t.max}× \`${t.floor}\`, 0 errors`,
				measured:
					t.ratio == null
						? "no floor row in this run"
						: `${n2(t.ratio)}× (${n0(r.cpu.workerdUsPerReq)} vs ${n0(t.floorUs)} µs), ${r.errorCount} errors`,
				ok: t.ok,
			});
		}
		for (const t of s.targetResults ?? []) out.push({ what: `${s.name}: ${t.what}`, measured: t.measured, ok: t.ok });
	}
	return out;
}

function targetsSection(run) {
	const list = targetList(run);
	if (!list.length) return "";
	return `## Targets (issue 18: workerd CPU per request relative to the floor, same run)

Judged by the report code from the rows below: a row's workerd CPU µs/req divided by its floor row's
(\`floor\` scenario; \`healthz\` is the project's own trivial endpoint in the same scenario). Other programs
share this machine, so absolute µs are noisy; the ratios within one run are what count.

${table(
	["target", "measured", "met"],
	list.map((t) => [t.what, t.measured, t.ok ? "✅" : "❌"]),
)}
`;
}

/** "runner: Miniflare (direct), 3.2 min" */
const took = (s) =>
	`runner: ${s.runnerLabel}${s.seconds ? `, ${s.seconds < 120 ? `${Math.round(s.seconds)} s` : `${(s.seconds / 60).toFixed(1)} min`}` : ""}`;

function scenarioSection(s, run) {
	if (s.error) return `## ${s.title}\n\n**Failed:** \`${s.error.split("\n")[0]}\`\n\n\`\`\`\n${s.error}\n\`\`\`\n`;
	const ceiling = s.rows.find((r) => r.label === s.ceiling);
	const trivial = floorRow(run, s, "trivial");
	const rows = s.rows.map((r) => {
		const ft = floorTarget(run, s, r);
		const ratio = ceiling ? r.rps / ceiling.rps : null;
		const target = s.targets?.[r.label];
		const met = target == null ? "" : ratio >= target && r.errorCount === 0 ? "✅" : "❌";
		return [
			`\`${r.label}\``,
			n0(r.rps),
			r.label === s.ceiling ? "1 (ceiling)" : n2(ratio),
			r.label === s.ceiling ? "1" : n2(ceiling.cpu.workerdUsPerReq / r.cpu.workerdUsPerReq),
			target == null ? "" : `≥ ${target}, 0 errors ${met}`,
			trivial ? n2(r.cpu.workerdUsPerReq / trivial.cpu.workerdUsPerReq) : "–",
			ft ? `\`${ft.floor}\`` : "",
			ft ? n2(ft.ratio) : "",
			ft ? `≤ ${ft.max} ${ft.ok ? "✅" : "❌"}` : "",
			ms(r.latency.p50),
			ms(r.latency.p99),
			String(r.errorCount),
			n0(r.cpu.workerdUsPerReq),
			n0(r.cpu.afterWorkerdUsPerReq),
			n2(cores(r)),
			n0(r.cpu.machineBusyPct),
			n0(r.cpu.otherPct),
			n0(r.cpu.loadGenUsPerReq),
			trend(r),
		];
	});
	const costs = ceiling
		? s.rows
				.filter((r) => r !== ceiling)
				.map(
					(r) =>
						`- \`${r.label}\` − \`${ceiling.label}\`: **${n0(r.cpu.workerdUsPerReq - ceiling.cpu.workerdUsPerReq)} µs** workerd CPU per request` +
						` (${n0(r.cpu.workerdUsPerReq + r.cpu.afterWorkerdUsPerReq - ceiling.cpu.workerdUsPerReq - ceiling.cpu.afterWorkerdUsPerReq)} µs including background work after the window)`,
				)
				.join("\n")
		: "";
	const codes = s.rows
		.map(
			(r) =>
				`- \`${r.label}\`: ${r.responses.toLocaleString("en-US")} responses in ${n1(r.seconds)} s` +
				`${r.connections !== s.rows[0].connections ? ` with ${r.connections} connections` : ""} (${statusCodes(r)})`,
		)
		.join("\n");
	const reasons = s.rows
		.filter((r) => Object.keys(r.totals?.reasons ?? {}).length)
		.map(
			(r) =>
				`- \`${r.label}\` non-2xx by problem title, warm-up included: ${Object.entries(r.totals.reasons)
					.map(([k, v]) => `${k} ×${v.toLocaleString("en-US")}`)
					.join(", ")}`,
		)
		.join("\n");
	const extra = (s.tables ?? [])
		.map((t) => `\n### ${t.title}\n\n${t.text ? `${t.text}\n\n` : ""}${table(t.head, t.rows)}\n`)
		.join("");
	const checks = (s.checks ?? []).map((c) => `- ${c.ok ? "✅" : "❌"} ${c.what}: ${c.detail}`).join("\n");
	const context = s.context
		? `\nSetup: ${Object.entries(s.context)
				.map(([k, v]) => `${k} \`${v}\``)
				.join(", ")}.\n`
		: "";
	const notes = (s.notes ?? []).map((x) => `- ${x}`).join("\n");
	const tail = `${context}${checks ? `\nChecks:\n${checks}\n` : ""}${notes ? `\nNotes:\n${notes}\n` : ""}`;
	// A scenario without load rows (in-object, draw-scale) is its tables.
	if (!s.rows.length) return `## ${s.title} (${took(s)})\n\n${s.description}\n${extra}${tail}`;
	return `## ${s.title} (${took(s)})

${s.description}

${table(
	[
		"measurement",
		"req/s",
		"× ceiling",
		"× ceiling by CPU",
		"target",
		"CPU × trivial",
		"floor row",
		"CPU × floor",
		"floor target",
		"p50 ms",
		"p99 ms",
		"errors",
		"workerd CPU µs/req",
		"+ after window µs/req",
		"workerd cores",
		"machine busy %",
		"other procs %",
		"load-gen CPU µs/req",
		"req/s first 2 s → last 2 s",
	],
	rows,
)}

What each row adds to the ceiling, in workerd CPU per request:
${costs}

Responses:
${codes}${reasons ? `\n${reasons}` : ""}
${extra}${tail}`;
}

function interpretation(run) {
	const lines = [];
	const cmp = run.comparison;
	if (cmp) {
		const [a, b] = [...cmp.rows].sort((x, y) => y.rps - x.rps);
		lines.push(
			`- Runner: ${a.runnerLabel} serves the trivial endpoint ${n2(a.rps / b.rps)}× as fast as ${b.runnerLabel} ` +
				`(${n0(a.cpu.workerdUsPerReq + a.cpu.nodeUsPerReq)} vs ${n0(b.cpu.workerdUsPerReq + b.cpu.nodeUsPerReq)} µs runner CPU per request). ` +
				"Numbers from `wrangler dev` mostly measure the dev server, not the worker.",
		);
	}
	for (const s of run.scenarios) {
		if (s.error) {
			lines.push(`- ${s.title}: failed (${s.error.split("\n")[0]}).`);
			continue;
		}
		const ceiling = s.rows.find((r) => r.label === s.ceiling);
		for (const r of s.rows) {
			const target = s.targets?.[r.label];
			if (target == null || !ceiling) continue;
			const ratio = r.rps / ceiling.rps;
			const met = ratio >= target && r.errorCount === 0;
			const byCpu = ceiling.cpu.workerdUsPerReq / r.cpu.workerdUsPerReq;
			lines.push(
				`- ${s.name} / \`${r.label}\`: ${n2(ratio)}× the ceiling (${n2(byCpu)}× by CPU cost) with ${r.errorCount} errors — ` +
					`target (≥ ${target}, 0 errors) **${met ? "met" : byCpu >= target && r.errorCount === 0 ? "met by CPU cost only" : "not met"}**.`,
			);
		}
		for (const line of s.summary ?? []) lines.push(`- ${s.name}: ${line}.`);
		const failed = (s.checks ?? []).filter((c) => !c.ok);
		if (failed.length) lines.push(`- ${s.name}: **failed checks**: ${failed.map((c) => c.what).join("; ")}.`);
		const noisy = s.rows.filter((r) => r.cpu.otherPct > 10);
		if (noisy.length) {
			lines.push(
				`- ${s.name}: other programs used ${noisy.map((r) => `${n0(r.cpu.otherPct)} % (\`${r.label}\`)`).join(", ")} of the machine: ` +
					"those rows' req/s are depressed (compare by CPU cost).",
			);
		}
	}
	const ok = run.scenarios.filter((s) => !s.error);
	const all = ok.flatMap((s) => s.rows);
	if (all.length && Math.max(...all.map(cores)) < 1.15) {
		lines.push(
			`- workerd never kept more than ${n2(Math.max(...all.map(cores)))} cores busy although the machine has ${run.machine.cores}: ` +
				"it runs this worker's JavaScript (and its Durable Objects, D1 and queues in Miniflare) on one thread. " +
				"When that thread is saturated, req/s ≈ 1,000,000 / (workerd µs per request), so the ratios to the ceiling are ratios of CPU cost per request; " +
				"rows whose workerd cores stay clearly below 1 are waiting (storage commits, alarms, the single object's gates), not computing.",
		);
	}
	// The same row in several scenarios (e.g. `enter` on a short and on a long queue): how its cost moved.
	const labels = [...new Set(ok.flatMap((s) => s.rows.map((r) => r.label)))].filter((l) => l !== "healthz");
	for (const label of labels) {
		const seen = ok.flatMap((s) => s.rows.filter((r) => r.label === label).map((r) => ({ s, r })));
		if (seen.length < 2) continue;
		lines.push(
			`- \`${label}\` across scenarios: ${seen
				.map(
					({ s, r }) =>
						`${n0(r.cpu.workerdUsPerReq)} µs CPU/req, ${n0(r.rps)} req/s (${s.name}${s.context?.["queued before enter"] != null ? `, ${n0(s.context["queued before enter"])} queued` : ""})`,
				)
				.join(" vs ")}.`,
		);
	}
	lines.push(
		"- CPU per request is the runner's workerd processes' utime+stime (/proc/<pid>/stat) over the measured window divided by the responses; " +
			"it includes workerd's HTTP handling, the entry worker, D1/DO plumbing and any background work (alarms, queue delivery) that ran in the window. " +
			"“+ after window” is what the runner burned in the settle period after the load stopped (deferred work the requests caused).",
	);
	lines.push(
		"- Time spent inside a Durable Object cannot be read from inside the object: workerd freezes `Date.now()`/timers during execution " +
			"(they only advance on I/O), so the object's own clock reports ~0. A row − healthz CPU difference is what the whole feature adds " +
			"(routing, auth, D1 and the object); the `in-object` scenario measures the object's part from outside, as workerd CPU around " +
			"loops of RPC calls without HTTP.",
	);
	return lines.join("\n");
}

export function renderMarkdown(run) {
	const m = run.machine;
	const v = run.versions;
	const o = run.opts;
	return `# Benchmark results

Written by \`${run.command}\` on ${run.date}${run.seconds ? ` (the whole run took ${Math.round(run.seconds / 60)} min)` : ""}. The bench overwrites this file on every run; see README.md for how to run it.

## Machine

| | |
| --- | --- |
| CPU | ${m.cpu}, ${m.cores} cores (${m.arch}) |
| RAM | ${n1(m.ramGiB)} GiB |
| OS | ${m.os} |
| Node | ${v.node} |
| workerd | ${v.workerd} (\`${v.workerdRuntime}\`) |
| wrangler / miniflare | ${v.wrangler} / ${v.miniflare} |
| load generator | autocannon ${v.autocannon} in its own process, ${o.connections} connections, ${o.warmup} s warm-up then ${o.duration} s measured per row (after waiting up to ${o.quietWait} s for an idle machine) |
| code | ${m.code} |

${comparisonSection(run.comparison)}
## How to read the scenario tables

- *req/s*, *p50/p99*, *errors* (non-2xx responses + socket errors) come from autocannon over the measured window.
  A row may declare non-2xx statuses that are the endpoint's normal answer under that load (409 "Bid too low" when
  many bidders race for one price): those count in *req/s* as handled requests, not as errors.
- *× ceiling* is req/s divided by the scenario's \`healthz\` req/s; *× ceiling by CPU* is \`healthz\`'s workerd CPU
  per request divided by the row's — what *× ceiling* would be with workerd saturated and alone on the machine
  (robust to other load). Targets are judged on *× ceiling*.
- *workerd CPU µs/req*: the runner's workerd processes' utime+stime over the window, per response; *+ after window*:
  what they burned in the ${(run.scenarios.find((s) => s.rows?.length)?.rows[0].cpu.settleMs ?? 2000) / 1000} s after the load stopped (deferred work: alarms, event delivery).
- *workerd cores*: workerd CPU time / wall time. *machine busy*: all cores together (100 % = every core busy).
  *other procs*: busy time that was neither the runner nor the load generator — other programs on the machine;
  high values depress that row's req/s (its CPU µs/req stays meaningful).
- *req/s first 2 s → last 2 s*: a drift shows state growing or the machine's load changing.

${targetsSection(run)}
${run.scenarios.map((s) => scenarioSection(s, run)).join("\n")}
## Interpretation

${interpretation(run)}
`;
}

export function consoleSummary(run) {
	const out = [];
	if (run.comparison) {
		for (const r of run.comparison.rows) {
			out.push(
				`  ${r.runnerLabel.padEnd(20)} healthz ${n0(r.rps).padStart(7)} req/s  p99 ${ms(r.latency.p99)} ms  workerd ${n0(r.cpu.workerdUsPerReq)} µs/req`,
			);
		}
	}
	for (const s of run.scenarios) {
		if (s.error) {
			out.push(`  ${s.name}: FAILED ${s.error.split("\n")[0]}`);
			continue;
		}
		const ceiling = s.rows.find((r) => r.label === s.ceiling);
		for (const r of s.rows) {
			out.push(
				`  ${`${s.name}/${r.label}`.padEnd(20)} ${n0(r.rps).padStart(7)} req/s  ×${n2(r.rps / ceiling.rps)}  p50 ${ms(r.latency.p50)} ms  p99 ${ms(r.latency.p99)} ms  errors ${r.errorCount}  workerd ${n0(r.cpu.workerdUsPerReq)} µs/req`,
			);
		}
		for (const r of s.rows) {
			const t = floorTarget(run, s, r);
			if (t)
				out.push(
					`  ${`${s.name}/${r.label}`.padEnd(20)} ${n2(t.ratio)}× ${t.floor} (≤ ${t.max}) ${t.ok ? "met" : "NOT met"}`,
				);
		}
		for (const line of s.summary ?? []) out.push(`  ${`${s.name}:`.padEnd(20)} ${line}`);
		for (const c of (s.checks ?? []).filter((x) => !x.ok))
			out.push(`  ${`${s.name}:`.padEnd(20)} CHECK FAILED ${c.what}`);
	}
	return out.join("\n");
}

/** `--profile` runs: where the worker's CPU goes, per measured row. */
export function renderProfile(run) {
	const parts = [
		`# CPU profiles

Written by \`${run.command}\` on ${run.date}. V8 sampling profiles (200 µs) of the worker isolate (which also runs its
Durable Objects) over each measured window. Profiling slows the worker down, so the
req/s here are not comparable with RESULTS.md. Self time only, mapped to src/ and node_modules/ through the bundle's
source map. \`(native)\` rows are runtime built-ins called from JS (SQL exec, crypto, Response…); on workerd's single
thread the profiler also charges time spent in nested isolates (D1, queues, Miniflare's entry worker) and in native
code to whatever frame was current, so absolute µs overstate the worker's own JS — compare rows, not totals. Open the
.cpuprofile files in Chrome DevTools for call trees.
`,
	];
	for (const s of run.scenarios) {
		if (s.error) continue;
		for (const r of s.rows) {
			if (!r.profiles) continue;
			parts.push(
				`## ${s.name} / \`${r.label}\` — ${n0(r.rps)} req/s, ${n0(r.cpu.workerdUsPerReq)} µs workerd CPU per request\n`,
			);
			for (const [id, p] of Object.entries(r.profiles.isolates)) {
				parts.push(
					`### ${id}: ${n0(p.totalUs / r.responses)} µs of non-idle samples per request\n`,
					table(
						["inclusive time by top-level frame (each async continuation counts separately)", "µs/req", "%"],
						(p.entries ?? []).map((f) => [`\`${f.name}\``, n0(f.us / r.responses), n1(f.pct)]),
					),
					"",
					table(
						["self time by file / package", "µs/req", "%"],
						p.files.map((f) => [`\`${f.name}\``, n0(f.us / r.responses), n1(f.pct)]),
					),
					"",
					table(
						["self time by function", "µs/req", "%"],
						p.functions.map((f) => [`\`${f.name}\``, n0(f.us / r.responses), n1(f.pct)]),
					),
					"",
				);
			}
			parts.push(`Files: ${r.profiles.files.map((f) => `\`${f}\``).join(", ")}\n`);
		}
	}
	return parts.join("\n");
}
