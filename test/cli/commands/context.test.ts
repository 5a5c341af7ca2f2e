import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServerProcess } from "../../helpers/server-process.js";
import { freshConfigHome, runCli, startCli } from "../support.js";

test("context add writes the nats CLI's file layout; select, ls, info and rm act on it", async () => {
  const home = freshConfigHome();
  const add = await runCli(["context", "add", "dev", "--server", "nats://127.0.0.1:4333", "--user", "u", "--password", "pw",
    "--description", "Dev box", "--select"], { configHome: home });
  assert.equal(add.code, 0, add.stderr);
  const file = join(home, "nats", "context", "dev.json");
  const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  assert.equal(saved["url"], "nats://127.0.0.1:4333");
  assert.equal(saved["user"], "u");
  assert.equal(saved["password"], "pw");
  assert.equal(saved["description"], "Dev box");
  assert.equal(saved["tls_first"], false);
  assert.equal(readFileSync(join(home, "nats", "context.txt"), "utf8"), "dev");
  assert.match(add.stdout, /^NATS Configuration Context "dev"\n\n/);
  assert.match(add.stdout, /\n {2}Server URLs: nats:\/\/127\.0\.0\.1:4333\n/);
  assert.match(add.stdout, /\n {5}Password: \*\*\n/);

  await runCli(["context", "add", "prod", "--server", "nats://10.0.0.1:4222"], { configHome: home });
  const ls = await runCli(["context", "ls"], { configHome: home });
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /│ +Known Contexts +│/);
  assert.match(ls.stdout, /│ dev\* +│ Dev box +│/);
  assert.match(ls.stdout, /│ prod +│ +│/);
  const lsJson = await runCli(["context", "ls", "--json"], { configHome: home });
  assert.deepEqual(JSON.parse(lsJson.stdout), ["dev", "prod"]);

  const sel = await runCli(["context", "select", "prod"], { configHome: home });
  assert.equal(sel.code, 0, sel.stderr);
  assert.equal(readFileSync(join(home, "nats", "context.txt"), "utf8"), "prod");
  const info = await runCli(["context", "info", "--json"], { configHome: home });
  assert.equal((JSON.parse(info.stdout) as { url: string }).url, "nats://10.0.0.1:4222");

  const rm = await runCli(["context", "rm", "prod", "--force"], { configHome: home });
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(existsSync(join(home, "nats", "context", "prod.json")), false);
  assert.equal(existsSync(join(home, "nats", "context.txt")), false, "removing the selected context unselects it");
  const missing = await runCli(["context", "select", "nope"], { configHome: home });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'tsnats: error: unknown context "nope"\n');
});

test("a context written by the nats CLI is used to connect; flags and NATS_URL override it", async (t) => {
  const srv = await startServerProcess({ impl: "tsnats" });
  t.after(() => srv.stop("SIGKILL"));
  const home = freshConfigHome();
  mkdirSync(join(home, "nats", "context"), { recursive: true });
  // As the nats CLI saves it, with fields tsnats does not use.
  writeFileSync(join(home, "nats", "context", "local.json"), JSON.stringify({
    description: "", url: srv.url, socks_proxy: "", token: "", user: "", password: "", creds: "", nkey: "",
    cert: "", key: "", ca: "", nsc: "", jetstream_domain: "", jetstream_api_prefix: "", jetstream_event_prefix: "",
    inbox_prefix: "", user_jwt: "", color_scheme: "", tls_first: false, windows_cert_store: "",
  }, null, "  "));
  writeFileSync(join(home, "nats", "context.txt"), "local");
  const sub = await startCli(["sub", "ctx.test", "--count", "1"], /Subscribing on ctx\.test/, { configHome: home });
  const pub = await runCli(["pub", "ctx.test", "via-context"], { configHome: home });
  assert.equal(pub.code, 0, pub.stderr);
  const got = await sub.done;
  assert.match(got.stdout, /via-context/);

  const bad = await runCli(["pub", "ctx.test", "x", "--context", "local"], { configHome: home, env: { NATS_URL: "nats://127.0.0.1:1" } });
  assert.equal(bad.code, 1, "NATS_URL wins over the context's url");
  assert.match(bad.stderr, /^tsnats: error: nats: no servers available for connection/);
  const noCtx = await runCli(["pub", "ctx.test", "x", "--no-context", "--timeout", "1s"], { configHome: home });
  assert.equal(noCtx.code, 1, "--no-context ignores the selected context (default URL has no server)");
});
