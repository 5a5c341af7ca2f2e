/** Route URLs from the `routes` list and the `-routes` flag, read as nats-server reads them. */
import type { RouteUrl } from "./options.js";
import { goQuote, parseGoUrl } from "../util/go-url.js";

/** The route, or nats-server's error text for it. */
export function parseRouteUrl(written: string): RouteUrl | string {
  const text = written.trim();
  const parsed = parseGoUrl(text);
  if (!parsed.ok) return `error parsing route url [${goQuote(text)}]`;
  const { host, username, password } = parsed.url;
  return { text, hostPort: host, ...(username !== undefined && { username }), ...(password !== undefined && { password }) };
}
