/** Message bodies, headers and templates as the nats CLI's pub/sub/req/reply handle them. */
import { headers as makeHeaders, nuid, type MsgHdrs } from "@nats-io/transport-node";

/** `-H K:V` flags as message headers; a flag without a colon is an error, as in the nats CLI. */
export function parseHeaders(flags: string[]): MsgHdrs | undefined {
  if (flags.length === 0) return undefined;
  const h = makeHeaders();
  for (const f of flags) {
    const at = f.indexOf(":");
    if (at <= 0) throw new Error(`invalid header ${JSON.stringify(f)}, expected K:V`);
    h.append(f.slice(0, at).trim(), f.slice(at + 1).trim());
  }
  return h;
}

/** Headers as `Name: value` lines (empty for none). */
export function headerLines(h: MsgHdrs | undefined): string[] {
  if (!h) return [];
  const out: string[] = [];
  for (const [k, vs] of h) for (const v of vs) out.push(`${k}: ${v}`);
  return out;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * Expands the template functions the nats CLI offers in bodies and subjects: {{Count}}, {{TimeStamp}}
 * (RFC 3339), {{Unix}}, {{UnixNano}}, {{Time}}, {{ID}} and {{Random min max}}. Unknown ones are errors.
 */
export function expandTemplate(text: string, count: number, now: Date = new Date()): string {
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_all, expr: string) => {
    const [fn, ...args] = expr.split(/\s+/);
    switch (fn) {
      case "Count": case ".Count": return String(count);
      case "TimeStamp": case ".TimeStamp": return rfc3339(now);
      case "Unix": case ".Unix": return String(Math.floor(now.getTime() / 1000));
      case "UnixNano": case ".UnixNano": return `${now.getTime()}000000`;
      case "Time": case ".Time": return now.toTimeString().slice(0, 8);
      case "ID": case ".ID": return nuid.next();
      case "Random": {
        const [min, max] = args.map(Number);
        if (!Number.isInteger(min) || !Number.isInteger(max) || max! < min!) throw new Error(`invalid template {{${expr}}}`);
        return String(min! + Math.floor(Math.random() * (max! - min! + 1)));
      }
      default: throw new Error(`could not parse template: function "${fn}" not defined`);
    }
  });
}
