/**
 * The deployment files: the systemd unit, the Dockerfile and the README's docker-compose cluster. Their
 * command lines go through tsnats's own flag parser, the config files they name pass `-t` on tsnats and
 * on nats-server, the unit passes `systemd-analyze verify`, and the image builds and serves where a Docker
 * daemon runs (each skips visibly where its tool is missing).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseFlags } from "../../src/config/flags.js";
import { runBinary } from "../helpers/run-binary.js";
import { natsServerAvailable, PROJECT_ROOT, TSNATS_BIN, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
const read = (p: string) => readFileSync(join(PROJECT_ROOT, p), "utf8");
const has = (tool: string, args: string[]) => spawnSync(tool, args, { stdio: "ignore" }).status === 0;

/** `key=value` lines of one section of a systemd unit. */
function unitSection(text: string, name: string): Map<string, string> {
  const out = new Map<string, string>();
  let inside = false;
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (l.startsWith("[")) inside = l === `[${name}]`;
    else if (inside && l !== "" && !l.startsWith("#")) {
      const i = l.indexOf("=");
      out.set(l.slice(0, i), l.slice(i + 1));
    }
  }
  return out;
}

async function configValid(file: string): Promise<void> {
  for (const impl of IMPLS) {
    const r = await runBinary(impl, ["-t", "-c", file]);
    assert.equal(r.status, 0, `${impl} -t ${file}: ${r.out}`);
    assert.match(r.out, /is valid/);
  }
}

describe("the systemd unit", () => {
  const unit = read("contrib/tsnats.service");
  const service = unitSection(unit, "Service");
  it("runs tsnats-server with its config as a dedicated user, with many file descriptors", async () => {
    const argv = service.get("ExecStart")!.split(/\s+/);
    assert.match(argv[0]!, /\/tsnats-server$/);
    const flags = parseFlags(argv.slice(1));
    assert.equal(flags.configFile, "/etc/nats/tsnats.conf");
    assert.ok(service.get("User") !== undefined && service.get("User") !== "root");
    assert.ok(Number(service.get("LimitNOFILE")) >= 65536);
    assert.match(service.get("ExecReload")!, /kill -s HUP \$MAINPID/);
    await configValid(join(PROJECT_ROOT, "contrib/tsnats.conf"));
  });
  it("passes systemd-analyze verify", { skip: has("systemd-analyze", ["--version"]) ? false : "systemd-analyze is not installed" }, () => {
    // Pointed at this checkout's binary: the unit names where `npm install -g` puts it.
    const dir = mkdtempSync(join(tmpdir(), "tsnats-unit-"));
    const copy = join(dir, "tsnats.service");
    writeFileSync(copy, unit.replace("/usr/local/bin/tsnats-server", TSNATS_BIN));
    const r = spawnSync("systemd-analyze", ["verify", copy], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "");
  });
});

describe("the Docker image", () => {
  const df = read("Dockerfile");
  const json = (key: string) => JSON.parse(new RegExp(`^${key} (\\[.*\\])$`, "m").exec(df)![1]!) as string[];
  it("has tsnats-server as entry point, and a default config as the official image's", async () => {
    assert.deepEqual(json("ENTRYPOINT"), ["tsnats-server"]);
    assert.deepEqual(json("CMD"), ["--config", "/etc/nats/nats-server.conf"]);
    assert.match(df, /^COPY contrib\/docker\/nats-server\.conf \/etc\/nats\/nats-server\.conf$/m);
    assert.match(df, /^EXPOSE 4222 6222 8222$/m);
    assert.equal(parseFlags(json("CMD")).configFile, "/etc/nats/nats-server.conf");
    // `docker run tsnats -js -m 8222`, as with the official image.
    assert.deepEqual(parseFlags(["-js", "-m", "8222"]).set, { jetstream: { enabled: true }, httpPort: 8222 });
    await configValid(join(PROJECT_ROOT, "contrib/docker/nats-server.conf"));
  });
  it("builds and serves", { skip: has("docker", ["info"]) ? false : "no Docker daemon" }, () => {
    const b = spawnSync("docker", ["build", "-q", "-t", "tsnats-test", PROJECT_ROOT], { encoding: "utf8", timeout: 600_000 });
    assert.equal(b.status, 0, b.stderr);
    const r = spawnSync("docker", ["run", "--rm", "tsnats-test", "-v"], { encoding: "utf8", timeout: 60_000 });
    assert.match(`${r.stdout}${r.stderr}`, /v2\.11\.0/);
  });
});

describe("the README's docker-compose cluster", () => {
  const readme = read("README.md");
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
  const services = [...yaml.matchAll(/^  (n\d):\n([\s\S]*?)(?=^  n\d:|^volumes:)/gm)].map((m) => ({ name: m[1]!, body: m[2]! }));
  it("names three tsnats nodes whose command lines tsnats parses, routed to each other", () => {
    assert.equal(services.length, 3);
    const names = services.map((s) => s.name);
    const hostPorts = new Set<string>();
    for (const s of services) {
      assert.match(s.body, /^ {4}image: tsnats$/m);
      const argv = JSON.parse(/^ {4}command: (\[.*\])$/m.exec(s.body)![1]!) as string[];
      const f = parseFlags(argv);
      assert.equal(f.set.serverName, s.name);
      assert.equal(f.routesGiven, true);
      const routes = argv[argv.indexOf("--routes") + 1]!.split(",").map((u) => new URL(u).hostname);
      assert.deepEqual(routes.sort(), names.filter((n) => n !== s.name).sort(), `${s.name} routes`);
      for (const p of JSON.parse(/^ {4}ports: (\[.*\])$/m.exec(s.body)![1]!) as string[]) {
        const host = p.split(":")[0]!;
        assert.ok(!hostPorts.has(host), `host port ${host} used twice`);
        hostPorts.add(host);
      }
    }
  });
});
