/**
 * `/dashboard`: a live, read-only web view of this server for operators, with its stylesheet and script
 * at `/dashboard/app.css` and `/dashboard/app.js`. It is served by the monitoring listener like any
 * endpoint, so it has that listener's TLS (`https`/`-ms`) and base path; its script only GETs the JSON
 * endpoints beside it.
 */
import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS } from "./dashboard/assets.js";
import type { MonitorRequest, Reply } from "./endpoint.js";

export function dashboardPage(req: MonitorRequest): Reply {
  req.count();
  return { kind: "html", body: DASHBOARD_HTML };
}

export function dashboardScript(req: MonitorRequest): Reply {
  req.count();
  return { kind: "text", body: DASHBOARD_JS, contentType: "text/javascript; charset=utf-8" };
}

export function dashboardStyle(req: MonitorRequest): Reply {
  req.count();
  return { kind: "text", body: DASHBOARD_CSS, contentType: "text/css; charset=utf-8" };
}
