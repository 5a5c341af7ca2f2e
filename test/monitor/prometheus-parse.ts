/**
 * A small, strict parser of the Prometheus text format (0.0.4) for tests: it rejects what Prometheus
 * rejects in the parts tsnats writes (a sample before its TYPE, a family split in two, a bad escape, a
 * value that is not a float), so a test that parses /metrics checks the format as well as the figures.
 */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SUFFIXES = ["_bucket", "_sum", "_count"];

export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("exposition does not end with a line feed");
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  for (const line of text.split("\n").slice(0, -1)) {
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      let f = families.get(name);
      if (f === undefined) {
        f = { name, help: "", type: "", samples: [] };
        families.set(name, f);
      } else if (f.samples.length > 0) throw new Error(`${kind} for ${name} after its samples`);
      if (kind === "HELP") f.help = unescape(rest, false);
      else f.type = rest;
      current = f;
      continue;
    }
    if (line.startsWith("#") || line === "") throw new Error(`unexpected line ${JSON.stringify(line)}`);
    const m = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`).exec(line);
    if (m === null) throw new Error(`malformed sample ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    const base = SUFFIXES.find((s) => name.endsWith(s) && name.slice(0, -s.length) === current?.name) ? current!.name : name;
    if (current === undefined || current.name !== base) throw new Error(`sample ${name} outside its family (TYPE missing or family split)`);
    current.samples.push({ name, labels: parseLabels(labelText ?? ""), value: parseValue(valueText) });
  }
  for (const f of families.values()) if (f.type === "" || f.help === "") throw new Error(`${f.name} lacks HELP or TYPE`);
  return families;
}

function parseValue(t: string): number {
  if (t === "+Inf") return Infinity;
  if (t === "-Inf") return -Infinity;
  if (t === "NaN") return NaN;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) throw new Error(`bad value ${t}`);
  return Number(t);
}

function parseLabels(t: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < t.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(t.slice(i));
    if (m === null) throw new Error(`bad label at ${JSON.stringify(t.slice(i))}`);
    i += m[0].length;
    let v = "";
    for (;;) {
      const c = t[i++];
      if (c === undefined) throw new Error("unterminated label value");
      if (c === '"') break;
      if (c === "\\") {
        const e = t[i++];
        if (e === "n") v += "\n";
        else if (e === "\\" || e === '"') v += e;
        else throw new Error(`bad escape \\${e}`);
      } else if (c === "\n") throw new Error("raw line feed in a label value");
      else v += c;
    }
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice`);
    labels[m[1]!] = v;
    if (t[i] === ",") i++;
    else if (i < t.length) throw new Error(`expected , at ${i}`);
  }
  return labels;
}

function unescape(t: string, quotes: boolean): string {
  return t.replace(/\\(.)/g, (_m, e: string) => {
    if (e === "n") return "\n";
    if (e === "\\" || (quotes && e === '"')) return e;
    throw new Error(`bad escape \\${e}`);
  });
}

/** The one sample of `family` whose labels include `match`; fails when there is none or several. */
export function sampleOf(families: Map<string, ParsedFamily>, family: string, match: Record<string, string> = {}): ParsedSample {
  const f = families.get(family);
  if (f === undefined) throw new Error(`no family ${family}`);
  const hits = f.samples.filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${family} match ${JSON.stringify(match)}`);
  return hits[0]!;
}
