/**
 * How `sub` shows a message, in the nats CLI's three forms: --dump writes each message as JSON (a file
 * per message in a directory, or NUL-terminated on stdout for `-`), --raw prints bodies only, and the
 * default prints a title line, the headers and the body. --translate pipes each body through a command
 * (run directly, not by a shell) and shows what it printed instead.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "shell-quote";
import type { MsgHdrs } from "@nats-io/transport-node";
import { headerLines } from "./message-format.js";

export interface OutputFlags {
  raw?: boolean;
  headersOnly?: boolean;
  subjectsOnly?: boolean;
  translate?: string;
  dump?: string;
}

export interface ShownMessage {
  subject: string;
  reply?: string;
  headers?: MsgHdrs;
  data: Uint8Array;
  /** The stream a JetStream message came from, for --translate's {{Stream}}. */
  stream?: string;
}

/** The --translate command line for one message: {{Subject}} and {{Stream}} filled in, split as a shell would. */
export function translateArgv(command: string, subject: string, stream: string): string[] {
  const line = command.replace(/\{\{\s*\.?(\w+)\s*\}\}/g, (_all, fn: string) => {
    if (fn === "Subject") return subject;
    if (fn === "Stream") return stream;
    throw new Error(`template: translate:1: function "${fn}" not defined`);
  });
  // Variables stay as written: the command is not run by a shell, so nothing expands them.
  const words = parse(line, (name) => `$${name}`);
  const argv = words.map((w) => {
    if (typeof w === "string") return w;
    if ("pattern" in w) return w.pattern;
    throw new Error(`the filter command line could not be parsed: ${JSON.stringify(command)}`);
  });
  if (argv.length === 0) throw new Error("the filter command line is empty");
  return argv;
}

/** The command's output (stdout then stderr) for the body on its stdin; a failed command is an error. */
function translate(data: Uint8Array, command: string, subject: string, stream: string): { out: string; error?: string } {
  const [file, ...args] = translateArgv(command, subject, stream);
  const r = spawnSync(file!, args, { input: data });
  const out = Buffer.concat([r.stdout ?? Buffer.alloc(0), r.stderr ?? Buffer.alloc(0)]).toString();
  // A command that exits without reading its stdin is no failure (EPIPE): its exit status says how it went.
  if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") return { out, error: r.error.message };
  if (r.status !== 0) return { out, error: r.signal ? `signal: ${r.signal}` : `exit status ${r.status}` };
  return { out };
}

/** The body as the nats CLI prints it: "nil body" for an empty one, else the (translated) text ending in one newline. */
export function bodyText(m: ShownMessage, command: string | undefined): string {
  if (m.data.length === 0 && !command) return "nil body\n";
  let text = new TextDecoder().decode(m.data);
  if (command) {
    const t = translate(m.data, command, m.subject, m.stream ?? "");
    if (t.error) return `${JSON.stringify(t.out)}\nError while translating msg body: ${t.error}\n\n`;
    text = t.out;
  }
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** The message as the nats CLI's JSON encoding of a nats.go Msg: headers as lists, the body in base64. */
export function dumpJson(m: ShownMessage, command: string | undefined): string {
  let header: Record<string, string[]> | null = null;
  if (m.headers) {
    header = {};
    for (const [k, vs] of m.headers) header[k] = [...(header[k] ?? []), ...vs];
  }
  let data = Buffer.from(m.data);
  if (command) data = Buffer.from(translate(m.data, command, m.subject, m.stream ?? "").out);
  return JSON.stringify({ Subject: m.subject, Reply: m.reply ?? "", Header: header, Data: data.length > 0 ? data.toString("base64") : null, Sub: null });
}

/**
 * What to print for the n-th message: `title` heads the default form; `fileName` names its --dump file
 * (the stream sequence for JetStream messages, else n). With a dump directory the file is written here
 * and a dot is printed every 100 messages, as the nats CLI shows progress.
 */
export function showMessage(title: string, m: ShownMessage, n: number, fileName: string, o: OutputFlags): string {
  if (o.dump === "-") return `${dumpJson(m, o.translate)}\0`;
  if (o.dump) {
    writeFileSync(join(o.dump, `${fileName}.json`), dumpJson(m, o.translate), { mode: 0o600 });
    return n % 100 === 0 ? "." : "";
  }
  if (o.raw) return bodyText(m, o.translate);
  let out = `${title}\n`;
  if (o.subjectsOnly) return out;
  const hs = headerLines(m.headers);
  if (hs.length > 0) out += hs.join("\n") + "\n\n";
  if (!o.headersOnly) out += `${bodyText(m, o.translate)}\n`;
  return out;
}
