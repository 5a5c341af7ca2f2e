import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeRouteConnect, decodeRouteInfo, encodeRouteConnect, encodeRouteInfo, type RouteInfo } from "../../src/protocol/route-info.js";

// Captured from nats-server 2.9.10 (`-cluster nats://127.0.0.1:<port> --cluster_name C1 -n S1`).
const CAPTURED_INFO =
  'INFO {"server_id":"NCTEHOWTYC7Q7JY6OBXCOCZPK27Z4SDUYCMMA4ALWWKIAEMUPYLOPXVG","server_name":"S1","version":"2.9.10","proto":2,"go":"go1.19.8","host":"127.0.0.1","port":46305,"headers":true,"max_payload":1048576,"nonce":"UI8rulRVJ3FLrUc","cluster":"C1","connect_urls":["127.0.0.1:40979"],"lnoc":true} \r\n';

function jsonOf(line: string): string {
  return line.slice(line.indexOf("{"), line.lastIndexOf("}") + 1);
}

test("nats-server's route INFO decodes with types and encodes back byte for byte", () => {
  const d = decodeRouteInfo(jsonOf(CAPTURED_INFO));
  assert.ok(d.ok);
  assert.deepEqual(d.value, {
    serverId: "NCTEHOWTYC7Q7JY6OBXCOCZPK27Z4SDUYCMMA4ALWWKIAEMUPYLOPXVG",
    serverName: "S1",
    version: "2.9.10",
    proto: 2,
    go: "go1.19.8",
    host: "127.0.0.1",
    port: 46305,
    headers: true,
    maxPayload: 1048576,
    nonce: "UI8rulRVJ3FLrUc",
    cluster: "C1",
    connectUrls: ["127.0.0.1:40979"],
    lnoc: true,
  });
  assert.equal(encodeRouteInfo(d.value), CAPTURED_INFO);
});

test("every INFO field in nats-server's struct order, permissions with Go's HTML-safe escapes", () => {
  const info: RouteInfo = {
    serverId: "ID",
    serverName: "N",
    version: "2.11.0",
    proto: 2,
    go: "go",
    host: "h",
    port: 1,
    headers: true,
    authRequired: true,
    tlsRequired: true,
    tlsVerify: true,
    maxPayload: 10,
    jetstream: true,
    ip: "nats-route://h:1/",
    cluster: "C",
    clusterDynamic: true,
    domain: "d",
    connectUrls: ["h:2"],
    ldm: true,
    compression: "s2_fast",
    import: { allow: ["a.>"] },
    export: { deny: ["b"] },
    lnoc: true,
    lnocu: true,
    infoOnConnect: true,
    routePoolSize: 3,
    routePoolIdx: 1,
    routeAccount: "A",
    gossipMode: 1,
    gatewayUrl: "g:1",
    leafnodeUrls: ["l:1"],
  };
  assert.equal(
    encodeRouteInfo(info),
    'INFO {"server_id":"ID","server_name":"N","version":"2.11.0","proto":2,"go":"go","host":"h","port":1,"headers":true,"auth_required":true,"tls_required":true,"tls_verify":true,"max_payload":10,"jetstream":true,"ip":"nats-route://h:1/","cluster":"C","cluster_dynamic":true,"domain":"d","connect_urls":["h:2"],"ldm":true,"compression":"s2_fast","import":{"allow":["a.\\u003e"]},"export":{"deny":["b"]},"lnoc":true,"lnocu":true,"info_on_connect":true,"route_pool_size":3,"route_pool_idx":1,"route_account":"A","gossip_mode":1,"gateway_url":"g:1","leafnode_urls":["l:1"]} \r\n',
  );
  const back = decodeRouteInfo(jsonOf(encodeRouteInfo(info)));
  assert.ok(back.ok);
  assert.deepEqual(back.value, info);
});

test("route CONNECT: nats-server's form, and a client's or gateway's tell-tales", () => {
  const line =
    'CONNECT {"echo":false,"verbose":false,"pedantic":false,"user":"u","pass":"p","tls_required":false,"headers":true,"name":"NID","cluster":"C1","cluster_dynamic":true,"lnoc":true}\r\n';
  const d = decodeRouteConnect(jsonOf(line));
  assert.ok(d.ok);
  assert.deepEqual(d.value, {
    echo: false,
    verbose: false,
    pedantic: false,
    user: "u",
    pass: "p",
    tlsRequired: false,
    headers: true,
    name: "NID",
    cluster: "C1",
    clusterDynamic: true,
    lnoc: true,
  });
  assert.equal(encodeRouteConnect(d.value), line);
  const client = decodeRouteConnect('{"verbose":false,"lang":"node","version":"3.0.0"}');
  assert.ok(client.ok);
  assert.equal(client.value.lang, "node");
  assert.equal(client.value.cluster, "");
});

test("bad JSON gets Go's decoding errors", () => {
  assert.deepEqual(decodeRouteInfo("bad"), { ok: false, error: "invalid character 'b' looking for beginning of value" });
  // As nats-server logs it for `CONNECT {bad` on a route.
  assert.deepEqual(decodeRouteConnect("{bad"), { ok: false, error: "invalid character 'b' looking for beginning of object key string" });
  assert.deepEqual(decodeRouteInfo('{"port":"x"}'), { ok: false, error: "json: cannot unmarshal string into Go struct field Info.port of type int" });
  assert.deepEqual(decodeRouteInfo('{"port":1.5}'), { ok: false, error: "json: cannot unmarshal number 1.5 into Go struct field Info.port of type int" });
  assert.deepEqual(decodeRouteInfo("[1]"), { ok: false, error: "json: cannot unmarshal array into Go value of type server.Info" });
  assert.deepEqual(decodeRouteConnect('{"cluster":5}'), {
    ok: false,
    error: "json: cannot unmarshal number into Go struct field connectInfo.cluster of type string",
  });
  // Unknown fields and nulls are ignored.
  const lenient = decodeRouteInfo('{"server_id":"X","future_field":1,"cluster":null}');
  assert.ok(lenient.ok);
  assert.equal(lenient.value.serverId, "X");
  assert.equal(lenient.value.cluster, undefined);
});
