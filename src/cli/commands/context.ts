/** `tsnats context add/select/ls/info/rm`: the nats CLI's contexts, in its file layout. */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import {
  contextPath, emptySettings, knownContexts, loadContext, removeContext, saveContext, selectContext,
  selectedContext, type ContextSettings,
} from "../contexts.js";
import { Columns } from "../format/columns.js";
import { renderTable } from "../format/table.js";
import { CliError } from "../errors.js";
import { printJson } from "../runtime.js";

function fileState(path: string): string {
  return existsSync(path) ? "OK" : "ERROR: file not found";
}

function infoView(name: string, c: ContextSettings): string {
  const cols = new Columns(`NATS Configuration Context "${name}"`);
  cols.rowIfNotEmpty("Description", c.description);
  cols.rowIfNotEmpty("Server URLs", c.url);
  cols.rowIfNotEmpty("Username", c.user);
  cols.rowIfNotEmpty("Password", "*".repeat(c.password.length));
  cols.rowIfNotEmpty("Token", c.token);
  cols.rowIf("Credentials", `${c.creds} (${fileState(c.creds)})`, c.creds !== "");
  cols.rowIf("NKey", `${c.nkey} (${fileState(c.nkey)})`, c.nkey !== "");
  cols.rowIf("Certificate", `${c.cert} (${fileState(c.cert)})`, c.cert !== "");
  cols.rowIf("Key", `${c.key} (${fileState(c.key)})`, c.key !== "");
  cols.rowIf("CA", `${c.ca} (${fileState(c.ca)})`, c.ca !== "");
  cols.rowIf("TLS First", true, c.tls_first);
  cols.rowIfNotEmpty("JS API Prefix", c.jetstream_api_prefix);
  cols.rowIfNotEmpty("JS Domain", c.jetstream_domain);
  cols.rowIfNotEmpty("Inbox Prefix", c.inbox_prefix);
  cols.row("Path", contextPath(name));
  return cols.render();
}

export function contextCommand(program: Command): void {
  const ctx = program.command("context").alias("ctx").description("Manage nats configuration contexts");

  ctx.command("add").alias("create").alias("save").description("Update or create a context")
    .argument("<name>", "The context name to act on")
    .option("--description <text>", "Set a friendly description for this context")
    .option("--select", "Select the saved context as the default one")
    .action((name: string, o: { description?: string; select?: boolean }, cmd: Command) => {
      // The global connection flags given on this command line become the context's values.
      const g = cmd.optsWithGlobals() as Record<string, string | boolean | undefined>;
      const base = existsSync(contextPath(name)) ? loadContext(name) : emptySettings();
      const str = (k: string, cur: string) => (typeof g[k] === "string" ? (g[k] as string) : cur);
      const next: ContextSettings = {
        ...base,
        description: o.description ?? base.description,
        url: str("server", base.url),
        user: str("user", base.user),
        password: str("password", base.password),
        token: str("token", base.token),
        creds: str("creds", base.creds),
        nkey: str("nkey", base.nkey),
        cert: str("tlscert", base.cert),
        key: str("tlskey", base.key),
        ca: str("tlsca", base.ca),
        tls_first: g["tlsfirst"] === true || base.tls_first,
        inbox_prefix: str("inboxPrefix", base.inbox_prefix),
        jetstream_domain: str("jsDomain", base.jetstream_domain),
        jetstream_api_prefix: str("jsApiPrefix", base.jetstream_api_prefix),
      };
      saveContext(name, next);
      if (o.select) selectContext(name);
      process.stdout.write(infoView(name, next) + "\n\n");
    });

  ctx.command("select").alias("switch").alias("set").description("Select the default context")
    .argument("<name>", "The context name to select")
    .action((name: string) => {
      selectContext(name);
      process.stdout.write(infoView(name, loadContext(name)) + "\n\n");
    });

  ctx.command("ls").alias("list").alias("l").description("List known contexts")
    .option("-j, --json", "Show the list in JSON format")
    .option("--names", "List just the names of known contexts")
    .action((o: { json?: boolean; names?: boolean }, cmd: Command) => {
      const names = knownContexts();
      if (o.json || cmd.optsWithGlobals()["json"]) return printJson(names);
      if (o.names) return void process.stdout.write(names.map((n) => `${n}\n`).join(""));
      if (names.length === 0) return void process.stdout.write("No known contexts\n");
      const selected = selectedContext();
      const rows = names.map((n) => [n === selected ? `${n}*` : n, loadContext(n).description]);
      process.stdout.write(renderTable("Known Contexts", ["Name", "Description"], rows) + "\n");
    });

  ctx.command("info").alias("show").alias("view").description("Display information on the current or named context")
    .argument("[name]", "The context name to show")
    .option("-j, --json", "Show the context in JSON format")
    .action((name: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const which = name ?? selectedContext();
      if (!which) throw new CliError("no context selected");
      const c = loadContext(which);
      if (o.json || cmd.optsWithGlobals()["json"]) return printJson(c);
      process.stdout.write(infoView(which, c) + "\n\n");
    });

  ctx.command("rm").alias("remove").description("Remove a context")
    .argument("<name>", "The context name to remove")
    .option("-f, --force", "Force remove without prompting")
    .action((name: string) => {
      if (!existsSync(contextPath(name))) throw new CliError(`unknown context "${name}"`);
      removeContext(name);
    });
}
