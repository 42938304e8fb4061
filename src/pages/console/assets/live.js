// The console's live launch view: polls /console/distributions/:id/live.json every second and
// draws it (uPlot for the charts). Loaded as a module from this origin: the page's CSP allows
// no inline script. Every write sends the session's CSRF token.
import uPlot from "./uPlot.esm.js";

const root = document.getElementById("live");
const { id, type, csrf } = root.dataset;
const POLL_MS = 1000;
const WINDOW = 300;

const text = (el, value) => {
	if (el) el.textContent = value;
};
const cell = (v) => {
	const td = document.createElement("td");
	td.textContent = v == null ? "—" : String(v);
	return td;
};
function fill(tbody, rows) {
	tbody.replaceChildren(
		...rows.map((cells) => {
			const tr = document.createElement("tr");
			tr.append(...cells.map((c) => (c instanceof Node ? wrap(c) : cell(c))));
			return tr;
		}),
	);
}
const wrap = (node) => {
	const td = document.createElement("td");
	td.append(node);
	return td;
};

const chartEl = document.getElementById("chart");
const width = () => Math.max(300, (chartEl?.clientWidth || 800) - 8);
let chart = null;
const series = [[], [], [], []];
let last = null;

if (type === "queue" && chartEl) {
	chart = new uPlot(
		{
			width: width(),
			height: 260,
			series: [
				{},
				{ label: "queued", stroke: "#0a5bd3", width: 2 },
				{ label: "admitted/s", stroke: "#1a7f37", width: 2 },
				{ label: "completed/s", stroke: "#9a6700", width: 2 },
			],
		},
		series,
		chartEl,
	);
}
if (type === "auction" && chartEl) {
	chart = new uPlot(
		{
			width: width(),
			height: 220,
			series: [{}, { label: "bid", stroke: "#8250df", width: 2, points: { show: true } }],
		},
		[[], []],
		chartEl,
	);
}

function queue(data) {
	const s = data.stats;
	const t = Math.floor(data.at / 1000);
	const admittedPerS = last ? Math.max(0, s.admitted - last.admitted) : 0;
	const completedPerS = last ? Math.max(0, s.completed - last.completed) : 0;
	last = s;
	series[0].push(t);
	series[1].push(s.queued);
	series[2].push(admittedPerS);
	series[3].push(completedPerS);
	for (const arr of series) if (arr.length > WINDOW) arr.shift();
	chart?.setData(series);
	root.dataset.points = String(series[0].length);
	const rate = data.distribution.admissionRate ?? 0;
	const cap = data.distribution.maxCapacity ?? 0;
	const rateGauge = document.getElementById("gauge-rate");
	rateGauge.max = Math.max(rate, 1);
	rateGauge.value = s.admittedLastMinute;
	text(document.getElementById("rate-text"), `${s.admittedLastMinute} / ${rate || "—"} per minute`);
	const capGauge = document.getElementById("gauge-capacity");
	capGauge.max = Math.max(cap, 1);
	capGauge.value = s.active;
	text(document.getElementById("capacity-text"), `${s.active} / ${cap || "—"}`);
	const counts = document.getElementById("counts");
	counts.replaceChildren(
		...Object.entries(s).flatMap(([k, v]) => {
			const dt = document.createElement("dt");
			dt.textContent = k;
			const dd = document.createElement("dd");
			dd.textContent = String(v);
			dd.dataset.count = k;
			return [dt, dd];
		}),
	);
}

function draw(data) {
	text(document.getElementById("entry-count"), `${data.entryCount} entries`);
	fill(
		document.querySelector("#entries tbody"),
		data.entries.map((e) => [e.entryId, e.consumerId, e.status, e.enteredAt]),
	);
	text(document.getElementById("results-status"), `Status ${data.distribution.status}; ${data.results.length} winners`);
	fill(
		document.querySelector("#results tbody"),
		data.results.map((r, i) => [r.rank ?? i + 1, r.consumerId, r.status]),
	);
}

function auction(data) {
	const bids = [...data.bids].sort((a, b) => a.seq - b.seq);
	chart?.setData([bids.map((b) => Date.parse(b.placedAt) / 1000), bids.map((b) => b.amount)]);
	text(document.getElementById("price"), bids.length ? String(bids.at(-1).amount) : "no bids yet");
	fill(
		document.querySelector("#bids tbody"),
		[...data.bids].map((b) => [b.seq, b.bidder, b.amount, b.kind, b.placedAt]),
	);
}

function retryButton(d) {
	const button = document.createElement("button");
	button.type = "button";
	button.textContent = "Retry";
	button.setAttribute("aria-label", `Retry delivery of ${d.eventType}`);
	button.addEventListener("click", () =>
		post(`/console/distributions/${id}/deliveries/${d.endpointId}/${d.id}/retry`, new URLSearchParams()),
	);
	return button;
}

function common(data) {
	text(document.getElementById("live-status"), data.distribution.status);
	if (data.deliveries) {
		fill(
			document.querySelector("#deliveries tbody"),
			data.deliveries.map((d) => [d.eventType, d.url, d.status, d.attempts.length, retryButton(d)]),
		);
	}
	if (data.events) {
		document.getElementById("events").replaceChildren(
			...data.events.map((e) => {
				const li = document.createElement("li");
				li.textContent = `${e.createdAt} ${e.type}`;
				return li;
			}),
		);
	}
}

async function post(url, body) {
	body.set("_csrf", csrf);
	const res = await fetch(url, { method: "POST", body, headers: { Accept: "application/json" } });
	if (!res.ok) {
		const problem = await res.json().catch(() => ({}));
		alert(problem.detail ?? problem.title ?? `Failed (${res.status})`);
	}
	return res;
}

document.getElementById("rate-form")?.addEventListener("submit", async (event) => {
	event.preventDefault();
	const form = new URLSearchParams(new FormData(event.target));
	form.delete("_csrf");
	const res = await post(`/console/distributions/${id}/rate`, form);
	if (res.ok) root.dataset.rate = String((await res.json()).admissionRate);
});

async function tick() {
	try {
		const res = await fetch(`/console/distributions/${id}/live.json`, { headers: { Accept: "application/json" } });
		if (res.status === 401) {
			location.assign(`/console/sign-in?next=${encodeURIComponent(location.pathname)}`);
			return;
		}
		if (res.ok) {
			const data = await res.json();
			if (type === "queue") queue(data);
			if (type === "draw") draw(data);
			if (type === "auction") auction(data);
			common(data);
			root.dataset.ticks = String(Number(root.dataset.ticks ?? 0) + 1);
		}
	} finally {
		setTimeout(tick, POLL_MS);
	}
}
tick();
