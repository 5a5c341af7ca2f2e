/**
 * The dashboard's three static assets, built once at load from code in this package (no CDN, no
 * files to find at run time): the page, its stylesheet and its script. The script is the source text
 * of the browser functions in client-*.ts, so the browser code is type-checked with the rest; a bundler
 * that renames one of them renames its callers alike, so the text stays consistent.
 */
import { NATS_VERSION, TSNATS_VERSION } from "../../server/version.js";
import { drawChart } from "./client-chart.js";
import { esc, fmtAge, fmtBytes, fmtCount, fmtRate } from "./client-format.js";
import { dashboardMain } from "./client-main.js";
import { DASHBOARD_CSS } from "./style.js";

/** The JSON endpoints the page links to, relative to the page. */
const LINKS = ["varz", "connz", "routez", "subsz", "accountz", "accstatz", "jsz", "healthz", "metrics"];

export const DASHBOARD_JS = `"use strict";
(() => {
${[fmtCount, fmtBytes, fmtRate, fmtAge, esc, drawChart, dashboardMain].map((f) => f.toString()).join("\n\n")}

${dashboardMain.name}();
})();
`;

export { DASHBOARD_CSS };

export const DASHBOARD_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsnats dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/app.css">
</head>
<body data-polls="0">
<header><h1>tsnats</h1><span id="server-title">NATS level v${NATS_VERSION} · tsnats ${TSNATS_VERSION}</span><span id="status">loading…</span></header>
<nav>${LINKS.map((l) => `<a href="${l}">/${l}</a>`).join("")}<a href=".">index</a></nav>
<main>
<h2>Server</h2><div class="cards" id="server"></div>
<h2>Message rates <small>last 5 minutes</small></h2>
<div class="charts">
<div class="chart"><h3>Server messages per second</h3><canvas id="chart-server"></canvas></div>
<div class="chart"><h3>Stream messages in per second</h3><canvas id="chart-streams"></canvas></div>
<div class="chart"><h3>Consumer deliveries and acks per second</h3><canvas id="chart-consumers"></canvas></div>
</div>
<h2>Cluster routes</h2><div class="scroll" id="routes"></div>
<h2>Connections <small id="connections-count"></small></h2><div class="scroll" id="connections"></div>
<h2>Accounts</h2><div class="scroll" id="accounts"></div>
<h2>JetStream</h2><div class="cards" id="jetstream"></div>
<h2>Streams</h2><div class="scroll" id="streams"></div>
<h2>Consumers <small>a consumer is stalled when its ack pending is at max_ack_pending, a push consumer has no subscriber, or it has pending messages and delivered none for 30 s</small></h2><div class="scroll" id="consumers"></div>
</main>
<script src="dashboard/app.js"></script>
</body>
</html>
`;
