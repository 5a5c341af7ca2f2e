/**
 * URLs as Go's net/url.Parse and net.SplitHostPort read them, with their error texts. nats-server parses
 * route and cluster URLs with them and prints their errors as they are, so an operator who mistypes
 * `-cluster` or a route sees the same words from either server. Only the URL forms a server can be
 * given are covered: `scheme://[user[:password]@]host[:port][/path]`, and Go's refusals of others.
 */

export interface GoUrl {
  /** Lower-cased, "" when absent. */
  scheme: string;
  username?: string;
  password?: string;
  /** `host[:port]` as written, brackets kept for IPv6 ("" when the URL has no authority). */
  host: string;
}

export type GoUrlResult = { ok: true; url: GoUrl } | { ok: false; error: string };

const fail = (raw: string, reason: string): GoUrlResult => ({ ok: false, error: `parse ${goQuote(raw)}: ${reason}` });

/** Go's %q for the strings this module quotes (printable ASCII in practice; others escaped as Go does). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
}

/** Go's url.Parse. */
export function parseGoUrl(raw: string): GoUrlResult {
  const hash = raw.indexOf("#");
  const text = hash < 0 ? raw : raw.slice(0, hash);
  if (/[\x00-\x1f\x7f]/.test(text)) return fail(raw, "net/url: invalid control character in URL");
  if (text === "") return { ok: true, url: { scheme: "", host: "" } };
  let scheme = "";
  let rest = text;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ":") {
      if (i === 0) return fail(raw, "missing protocol scheme");
      scheme = text.slice(0, i).toLowerCase();
      rest = text.slice(i + 1);
    }
    break;
  }
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith("/")) {
    // An opaque URL (`nats:x`) when there is a scheme; without one a colon before any slash is refused.
    if (scheme !== "") return { ok: true, url: { scheme, host: "" } };
    const slash = rest.indexOf("/");
    const colon = rest.indexOf(":");
    if (colon >= 0 && (slash < 0 || colon < slash)) return fail(raw, "first path segment in URL cannot contain colon");
  }
  const url: GoUrl = { scheme, host: "" };
  if (rest.startsWith("//")) {
    const afterSlashes = rest.slice(2);
    const slash = afterSlashes.indexOf("/");
    const authority = slash < 0 ? afterSlashes : afterSlashes.slice(0, slash);
    const at = authority.lastIndexOf("@");
    const hostText = at < 0 ? authority : authority.slice(at + 1);
    const hostError = checkHost(hostText);
    if (hostError !== undefined) return fail(raw, hostError);
    url.host = hostText;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return fail(raw, "net/url: invalid userinfo");
      const colon = userinfo.indexOf(":");
      const user = unescape(colon < 0 ? userinfo : userinfo.slice(0, colon));
      if (typeof user !== "string") return fail(raw, user.error);
      url.username = user;
      if (colon >= 0) {
        const password = unescape(userinfo.slice(colon + 1));
        if (typeof password !== "string") return fail(raw, password.error);
        url.password = password;
      }
    }
    rest = slash < 0 ? "" : afterSlashes.slice(slash);
  }
  const path = unescape(rest);
  if (typeof path !== "string") return fail(raw, path.error);
  return { ok: true, url };
}

/** Go's parseHost checks: a valid optional port after the host, escapes, and no stray characters. */
function checkHost(host: string): string | undefined {
  let name = host;
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) return "missing ']' in host";
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return `invalid port ${goQuote(colonPort)} after host`;
    return undefined;
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0) {
    const colonPort = host.slice(colon);
    if (!validOptionalPort(colonPort)) return `invalid port ${goQuote(colonPort)} after host`;
    name = host.slice(0, colon);
  }
  const unescaped = unescape(host);
  if (typeof unescaped !== "string") return unescaped.error;
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=:[\]%]/.exec(name);
  if (bad && bad[0].charCodeAt(0) < 0x80) return `invalid character ${goQuote(bad[0])} in host name`;
  return undefined;
}

function validOptionalPort(p: string): boolean {
  return p === "" || /^:[0-9]*$/.test(p);
}

function unescape(s: string): string | { error: string } {
  const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(s);
  if (bad) return { error: `invalid URL escape ${goQuote("%" + bad[1])}` };
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type HostPortResult = { ok: true; host: string; port: string } | { ok: false; error: string };

/** Go's net.SplitHostPort. */
export function splitGoHostPort(hostport: string): HostPortResult {
  const err = (reason: string): HostPortResult => ({ ok: false, error: hostport === "" ? reason : `address ${hostport}: ${reason}` });
  const colon = hostport.lastIndexOf(":");
  if (colon < 0) return err("missing port in address");
  let host: string;
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) return err("missing ']' in address");
    if (close + 1 === hostport.length) return err("missing port in address");
    if (close + 1 !== colon) return err(hostport[close + 1] === ":" ? "too many colons in address" : "missing port in address");
    host = hostport.slice(1, close);
    if (host.includes("[") || hostport.slice(close + 1).includes("]")) return err("unexpected '[' in address");
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(":")) return err("too many colons in address");
    if (host.includes("[")) return err("unexpected '[' in address");
    if (host.includes("]")) return err("unexpected ']' in address");
  }
  if (hostport.slice(colon + 1).includes("[")) return err("unexpected '[' in address");
  if (hostport.slice(colon + 1).includes("]")) return err("unexpected ']' in address");
  return { ok: true, host, port: hostport.slice(colon + 1) };
}

/** host:port as Go's net.JoinHostPort writes it: an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
