/**
 * `/`: an HTML page linking the endpoints, in nats-server's order and with its link texts, then tsnats's
 * own: the dashboard and /metrics.
 */
import { NATS_VERSION, TSNATS_VERSION } from "../server/version.js";
import type { MonitorRequest, Reply } from "./endpoint.js";

const LINKS: readonly (readonly [path: string, text: string])[] = [
  ["/varz", "General"],
  ["/jsz", "JetStream"],
  ["/connz", "Connections"],
  ["/accountz", "Accounts"],
  ["/accstatz", "Account Stats"],
  ["/subsz", "Subscriptions"],
  ["/routez", "Routes"],
  ["/leafz", "LeafNodes"],
  ["/gatewayz", "Gateways"],
  ["/healthz", "Health Probe"],
];

export function indexPage(req: MonitorRequest): Reply {
  req.count();
  // Links are relative to the page, which is served at the base path itself ("/mon", not "/mon/").
  const base = req.state.basePath;
  const links = LINKS.map(([p, text]) => `    <a href=".${base}${p}">${text}</a>`).join("\n");
  const body = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>tsnats monitoring</title>
    <link rel="icon" href="data:,">
    <style>
      body { font-family: ui-sans-serif, system-ui, sans-serif; margin-left: 32px }
      a { display: block; padding-bottom: 6px; text-decoration: none }
    </style>
  </head>
  <body>
    <h1>tsnats</h1>
    <p>NATS server level v${NATS_VERSION} (tsnats ${TSNATS_VERSION})</p>
${links}
    <a href="https://docs.nats.io/running-a-nats-service/nats_admin/monitoring">Help</a>
    <a href=".${base}/dashboard">Dashboard</a>
    <a href=".${base}/metrics">Prometheus metrics</a>
  </body>
</html>
`;
  return { kind: "html", body };
}
