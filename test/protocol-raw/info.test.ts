/**
 * The INFO line tsnats sends on accept, byte for byte where nats-server's format is fixed, and field by
 * field where tsnats deliberately says something of its own (version, go).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { open, runSession } from "../helpers/raw-session.js";
import { implUnderTest, startServerProcess, type ServerProcess } from "../helpers/server-process.js";

/** Compares dotted version numbers, ignoring any pre-release suffix. */
function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => v.split(/[-+]/)[0]!.split(".").map(Number);
  const [a, b] = [parse(version), parse(min)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

async function firstBytes(port: number): Promise<string> {
  const t = await runSession(port, [open()], { settle: false });
  return t.conns.c!.raw.toString("latin1");
}

async function info(port: number): Promise<Record<string, unknown>> {
  const t = await runSession(port, [open()], { settle: false });
  const i = t.conns.c!.info;
  assert.ok(i, "INFO parses as JSON");
  return i;
}

describe("protocol-raw: INFO", () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startServerProcess({ impl: implUnderTest() });
  });
  after(() => srv.stop());

  it("is one line: `INFO {json} ` and CRLF, with a space before the CRLF", async () => {
    const raw = await firstBytes(srv.port);
    assert.match(raw, /^INFO \{[^\r\n]*\} \r\n$/);
    JSON.parse(raw.slice(5, -3));
  });

  it("has the fields of nats-server with the same JSON types", async () => {
    const i = await info(srv.port);
    const types: Record<string, string> = {
      server_id: "string",
      server_name: "string",
      version: "string",
      proto: "number",
      go: "string",
      host: "string",
      port: "number",
      headers: "boolean",
      max_payload: "number",
      client_id: "number",
      client_ip: "string",
    };
    for (const [field, type] of Object.entries(types)) assert.equal(typeof i[field], type, `INFO.${field}`);
  });

  it("says proto 1, headers true and the default max_payload", async () => {
    const i = await info(srv.port);
    assert.equal(i.proto, 1);
    assert.equal(i.headers, true);
    assert.equal(i.max_payload, 1048576);
  });

  it("advertises version >= 2.11.0 and names tsnats in go", async () => {
    const i = await info(srv.port);
    assert.ok(versionAtLeast(String(i.version), "2.11.0"), `version ${String(i.version)}`);
    assert.match(String(i.go), /tsnats/);
  });

  it("gives the listen address and the client's address", async () => {
    const i = await info(srv.port);
    assert.equal(i.host, "127.0.0.1");
    assert.equal(i.port, srv.port);
    assert.equal(i.client_ip, "127.0.0.1");
  });

  it("has an nkey-style server_id, the same on every connection, and server_name defaulting to it", async () => {
    const [a, b] = await Promise.all([info(srv.port), info(srv.port)]);
    assert.match(String(a.server_id), /^N[A-Z2-7]{55}$/);
    assert.equal(a.server_id, b.server_id);
    assert.equal(a.server_name, a.server_id);
  });

  it("gives each connection its own positive integer client_id", async () => {
    const ids = [];
    for (let k = 0; k < 3; k++) ids.push((await info(srv.port)).client_id);
    for (const id of ids) assert.ok(Number.isInteger(id) && (id as number) > 0, `client_id ${String(id)}`);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("does not claim auth or TLS when none is configured", async () => {
    const i = await info(srv.port);
    for (const f of ["auth_required", "tls_required", "tls_verify"]) assert.ok(!i[f], `INFO.${f} is ${String(i[f])}`);
    assert.equal(i.nonce, undefined);
  });
});

describe("protocol-raw: INFO with a config file", () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startServerProcess({ impl: implUnderTest(), config: "max_payload: 2048\n" });
  });
  after(() => srv.stop());

  it("announces max_payload from the config", async () => {
    assert.equal((await info(srv.port)).max_payload, 2048);
  });
});
