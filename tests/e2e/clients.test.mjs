// The real, maintained npm clients for the legacy protocols, against the real `tracehouse serve`:
//   * jaeger-client (Node, 3.19.0) with its HTTPSender: a thrift-binary Batch POSTed to the
//     Jaeger collector endpoint /api/traces;
//   * jaeger-client with its UDPSender: an Agent.emitBatch message in one datagram. The Node client
//     encodes with thriftrw, which only speaks TBinaryProtocol (its default port is 6832, the
//     binary agent port), so it is pointed at --jaeger-thrift-binary-address; the compact port
//     drops its datagrams as invalid (checked below);
//   * zipkin-js (0.22.0): Tracer + BatchRecorder + zipkin-transport-http HttpLogger, JSON v2 to
//     /api/v2/spans.
// Every trace is read back through /api/v2/traces/<id> and compared field by field with what the
// translation rules (reference collector-jaeger.md §2.7; src/ingest/jaeger/internal/translate.cc,
// src/ingest/zipkin/internal/translate.cc) make of what the client recorded. Then garbage over
// each protocol: 400 naming the problem (HTTP) or a counted invalid datagram (UDP), and the server
// keeps serving.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/clients.test.mjs

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import os from 'node:os';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { metricSum } from './lib/collector.mjs';
import {
  assertSameRecords, b64ToHex, countSpans, findDefaultValuedFields, flattenResourceSpans, hexToB64,
} from './lib/otlp.mjs';
import { freePorts, httpGet, startServer } from './lib/server.mjs';

// The clients are CommonJS.
const require = createRequire(import.meta.url);
const jaeger = require('jaeger-client');
const HTTPSender = require('jaeger-client/dist/src/reporters/http_sender.js').default;
const UDPSender = require('jaeger-client/dist/src/reporters/udp_sender.js').default;
const JAEGER_CLIENT_VERSION = require('jaeger-client/package.json').version;
const { opentracing } = jaeger;
const zipkin = require('zipkin');
const { HttpLogger } = require('zipkin-transport-http');

const WAIT_MS = 10_000;

// ---- helpers -----------------------------------------------------------------------------------

/** Starts serve with `extraArgs`, runs fn(srv), always stops and cleans up. */
async function withServer(extraArgs, fn) {
  const srv = await startServer({ extraArgs });
  try {
    return await fn(srv);
  } finally {
    await srv.stop();
    await srv.cleanup();
  }
}

/** GET /api/v2/traces/<id> until it holds `want` spans (bounded); returns the parsed body or fails. */
async function waitForTrace(srv, traceHex, want, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const res = await httpGet(`${srv.httpUrl}/api/v2/traces/${traceHex}`);
    if (res.status === 200) {
      const body = JSON.parse(res.body.toString());
      const n = countSpans(body.trace?.resourceSpans);
      if (n >= want) return body;
      last = `200 with ${n} span(s)`;
    } else {
      last = `HTTP ${res.status}: ${res.body.toString().slice(0, 200)}`;
    }
    if (Date.now() >= deadline) {
      assert.fail(srv.describe(`trace ${traceHex}: ${want} span(s) not readable after ${timeoutMs} ms (last: ${last})`));
    }
    await sleep(50);
  }
}

/** Polls /metrics until the summed series reaches `want` (bounded); returns the value. */
async function waitForMetric(srv, name, labels, want, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await httpGet(`${srv.httpUrl}/metrics`)).body.toString();
    const v = metricSum(text, name, labels);
    if (v >= want || Date.now() >= deadline) return v;
    await sleep(50);
  }
}

/** Reads every expected trace back and compares it record by record. */
async function assertTracesStored(srv, expected, where) {
  const byTrace = new Map();
  for (const rec of expected) {
    const hex = b64ToHex(rec.span.traceId);
    if (!byTrace.has(hex)) byTrace.set(hex, []);
    byTrace.get(hex).push(rec);
  }
  for (const [hex, recs] of byTrace) {
    assert.equal(hex.length, 32, `trace id ${hex} is not 32 hex digits`);
    const body = await waitForTrace(srv, hex, recs.length);
    assert.deepEqual(findDefaultValuedFields(body.trace), [],
      `${where}: trace ${hex} answer carries default-valued fields`);
    assertSameRecords(flattenResourceSpans(body.trace.resourceSpans, `${where} ${hex}`), recs, `${where} ${hex}`);
  }
}

/** POSTs `body`; returns {status, text}. */
async function post(url, body, headers) {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

const hexOf = (buf) => Buffer.from(buf).toString('hex');
/** A trace id as the API takes it: 32 hex digits, a 64-bit id left-padded with zeros. */
const traceHex = (hex) => hex.padStart(32, '0');
const nanosFromMicros = (us) => {
  assert.ok(Number.isSafeInteger(us), `${us} µs is not an exact integer; pick exact test times`);
  return (BigInt(us) * 1000n).toString();
};
const kv = (key, value) => ({ key, value });

// ---- Jaeger: what the translation makes of a jaeger-client span ------------------------------------

/** A jaeger-client tag value as thriftrw encodes it (ThriftUtils.getThriftTags), then as OTLP. */
function jaegerValue(v) {
  if (typeof v === 'number') {  // every JS number is a DOUBLE tag; proto3 JSON spells NaN/±Infinity
    return { doubleValue: Number.isFinite(v) ? v : String(v) };
  }
  if (typeof v === 'boolean') return { boolValue: v };
  if (Buffer.isBuffer(v)) return { stringValue: v.toString('base64') };  // BINARY → base64 string
  if (v !== null && typeof v === 'object') return { stringValue: JSON.stringify(v) };
  return { stringValue: typeof v === 'string' ? v : String(v) };
}

/** A list of {key, value} → OTLP attributes with pcommon.Map semantics (last duplicate wins). */
function jaegerAttrs(tags, drop = []) {
  const m = new Map();
  for (const { key, value } of tags) m.set(key, jaegerValue(value));
  for (const k of drop) m.delete(k);
  return [...m].map(([key, value]) => kv(key, value));
}

/**
 * The resource a jaeger-client tracer's Process becomes: service.name, the process tags, with
 * `hostname` → `host.name` and `jaeger.version` → `opencensus.exporterversion` = "Jaeger-<v>".
 */
function expectedJaegerResource(tracer) {
  const { serviceName, tags } = tracer._process;
  const attrs = [kv('service.name', { stringValue: serviceName })];
  for (const a of jaegerAttrs(tags)) {
    if (a.key === 'hostname') attrs.push(kv('host.name', a.value));
    else if (a.key === 'jaeger.version') attrs.push(kv('opencensus.exporterversion', { stringValue: `Jaeger-${a.value.stringValue}` }));
    else attrs.push(a);
  }
  return { attributes: attrs };
}

const msToMicros = (ms) => ms * 1000;

/**
 * One finished jaeger-client span → the canonical record the server should return. The fields the
 * translation derives from special tags (kind, status, scope) come from `want`, written out by the
 * scenario, together with the tag keys they consume; everything else follows mechanically.
 */
function expectedJaegerRecord(span, resource, want) {
  const ctx = span.context();
  const parentHex = ctx.parentId ? hexOf(ctx.parentId) : '';
  const out = { traceId: hexToB64(traceHex(hexOf(ctx.traceId))), spanId: hexToB64(hexOf(ctx.spanId)) };
  if (parentHex && !/^0+$/.test(parentHex)) out.parentSpanId = hexToB64(parentHex);
  if (ctx.flags & 1) out.flags = 1;  // sampled; the debug bit is not carried
  out.name = span.operationName;
  if (want.kind) out.kind = want.kind;
  const startUs = msToMicros(span._startTime);
  out.startTimeUnixNano = nanosFromMicros(startUs);
  out.endTimeUnixNano = nanosFromMicros(startUs + msToMicros(span._duration));
  const attrs = jaegerAttrs(span._tags, want.consumed ?? []);
  if (attrs.length) out.attributes = attrs;
  const events = span._logs.map((log) => {
    const ev = { timeUnixNano: nanosFromMicros(msToMicros(log.timestamp)) };
    const name = log.fields.filter((f) => f.key === 'event').map((f) => f.value).pop();
    if (name) ev.name = name;
    const a = jaegerAttrs(log.fields, ['event']);
    if (a.length) ev.attributes = a;
    return ev;
  });
  if (events.length) out.events = events;
  // Every reference but the CHILD_OF one naming the parent becomes a link.
  const links = [];
  for (const ref of span._references) {
    const rc = ref.referencedContext();
    const isChildOf = ref.type() === opentracing.REFERENCE_CHILD_OF;
    if (isChildOf && hexOf(rc.spanId) === parentHex) continue;
    links.push({
      traceId: hexToB64(traceHex(hexOf(rc.traceId))),
      spanId: hexToB64(hexOf(rc.spanId)),
      attributes: [kv('opentracing.ref_type', { stringValue: isChildOf ? 'child_of' : 'follows_from' })],
    });
  }
  if (links.length) out.links = links;
  if (want.status) out.status = want.status;
  return { resource, scope: want.scope ?? {}, span: out };
}

/** A jaeger-client logger that keeps the errors (the client's only failure signal). */
function recordingLogger() {
  const errors = [];
  return { errors, info() {}, error(msg) { errors.push(String(msg)); } };
}

/** A jaeger-client tracer reporting through `sender`, also keeping every finished span. */
function jaegerTracer(sender, logger, { traceId128bit }) {
  const memory = new jaeger.InMemoryReporter();
  const remote = new jaeger.RemoteReporter(sender, { logger, bufferFlushInterval: 60_000 });
  const reporter = new jaeger.CompositeReporter([remote, memory]);
  const tracer = new jaeger.Tracer('Checkout-Service', reporter, new jaeger.ConstSampler(true), {
    logger,
    traceId128bit,
    tags: { 'deployment.environment': 'e2e', 'build.number': 7, 'canary': true },
  });
  return { tracer, memory };
}

/**
 * The Jaeger scenario, at exact times (multiples of 1/8 ms, so µs are integers):
 *   trace 1: SERVER root (tags of every type, two logs) → CLIENT child (error=true, an error log)
 *            → PRODUCER grandchild (FOLLOWS_FROM only: parent and link; a scope from its tags);
 *            CONSUMER span (CHILD_OF root + FOLLOWS_FROM trace 2: one link, across traces;
 *            otel.status_code=OK);
 *   trace 2: one debug root span the consumer points at.
 * Returns [{span, want}] for every span.
 */
function emitJaegerScenario(tracer) {
  const t0 = Math.floor(Date.now()) - 5000 + 0.25;
  const out = [];

  // A debug trace (jaeger-debug-id header): flags = sampled|debug = 3 on the wire; only the sampled
  // bit is carried (in W3C trace flags bit 2 means something else).
  const debugCtx = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, { 'jaeger-debug-id': 'e2e-debug-1' });
  const tick = tracer.startSpan('cron tick', { childOf: debugCtx, startTime: t0 - 100, tags: { 'cron.schedule': '*/5 * * * *' } });
  tick.finish(t0 - 99.5);
  assert.equal(tick.context().flags, 3, 'jaeger-client marks the span sampled and debug');

  const root = tracer.startSpan('GET /checkout', {
    startTime: t0,
    tags: {
      'span.kind': 'server',
      'http.method': 'GET',
      'http.status_code': 200,
      'retry.count': 3,
      'load.ratio': 0.75,
      'cache.hit': false,
      'payload.raw': Buffer.from([0x00, 0x01, 0xfe, 0xff]),
      'request.meta': { region: 'eu-west-1', shard: 7 },
      'load.nan': NaN,
      'load.max': -Infinity,
      'note': 'naïve "quoted" \\ back\nslash\t✓ 😀 \u0001',
    },
  });
  root.setTag('user.tier', 'gold');
  root.setTag('user.tier', 'platinum');  // duplicate key: the last value wins
  root.log({ event: 'cache-miss', key: 'user:42', attempt: 2, fallback: true }, t0 + 1.5);
  root.log({ message: 'no event field here', level: 'info' }, t0 + 2.125);

  const child = tracer.startSpan('SELECT orders', {
    childOf: root,
    startTime: t0 + 3,
    tags: { 'span.kind': 'client', 'db.system': 'postgresql', 'peer.port': 5432 },
  });
  child.setTag('error', true);
  child.setTag('http.status_message', 'Service Unavailable');
  child.log({ event: 'error', 'error.kind': 'Timeout', message: 'query timed out' }, t0 + 9.5);
  child.finish(t0 + 10.125);

  const publish = tracer.startSpan('publish receipt', {
    references: [opentracing.followsFrom(child.context())],
    startTime: t0 + 11,
    tags: { 'span.kind': 'producer', 'otel.scope.name': 'receipts-lib', 'otel.scope.version': '2.0.1', 'messaging.system': 'kafka' },
  });
  publish.finish(t0 + 12.5);

  const consume = tracer.startSpan('consume receipt', {
    references: [opentracing.childOf(root.context()), opentracing.followsFrom(tick.context())],
    startTime: t0 + 13.375,
    tags: { 'span.kind': 'consumer', 'otel.status_code': 'OK' },
  });
  consume.finish(t0 + 14);
  root.finish(t0 + 20.75);

  out.push({ span: tick, want: {} });
  out.push({
    span: root,
    want: { kind: 'SPAN_KIND_SERVER', consumed: ['span.kind'] },  // a DOUBLE http.status_code gives no status
  });
  out.push({
    span: child,
    want: {
      kind: 'SPAN_KIND_CLIENT',
      status: { code: 'STATUS_CODE_ERROR', message: 'Service Unavailable' },  // http.status_message, which stays
      consumed: ['span.kind', 'error'],
    },
  });
  out.push({
    span: publish,
    want: {
      kind: 'SPAN_KIND_PRODUCER',
      scope: { name: 'receipts-lib', version: '2.0.1' },
      consumed: ['span.kind', 'otel.scope.name', 'otel.scope.version'],
    },
  });
  out.push({
    span: consume,
    want: { kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_OK' }, consumed: ['span.kind', 'otel.status_code'] },
  });
  return out;
}

/** Closes the tracer (flushing the sender) and resolves once the client says it is done. */
function closeTracer(tracer) {
  return new Promise((resolve) => tracer.close(resolve));
}

/** Checks the scenario's resource by hand too (the mechanical expectation could share a mistake). */
function assertJaegerResource(body, tracer) {
  const attrs = Object.fromEntries(body.trace.resourceSpans[0].resource.attributes.map((a) => [a.key, a.value]));
  assert.deepEqual(attrs['service.name'], { stringValue: 'Checkout-Service' });
  assert.deepEqual(attrs['host.name'], { stringValue: os.hostname() });
  assert.deepEqual(attrs['opencensus.exporterversion'], { stringValue: `Jaeger-Node-${JAEGER_CLIENT_VERSION}` });
  assert.deepEqual(attrs['client-uuid'], { stringValue: tracer._process.uuid });
  assert.equal(typeof attrs.ip?.stringValue, 'string');
  assert.deepEqual(attrs['build.number'], { doubleValue: 7 });
  assert.deepEqual(attrs.canary, { boolValue: true });
  assert.equal(attrs.hostname, undefined, 'hostname renamed to host.name');
  assert.equal(attrs['jaeger.version'], undefined, 'jaeger.version renamed');
}

/** Runs the scenario through `sender` and checks every span read back. */
async function jaegerRoundTrip(srv, sender, logger, { traceId128bit, where }) {
  const { tracer, memory } = jaegerTracer(sender, logger, { traceId128bit });
  const scenario = emitJaegerScenario(tracer);
  await closeTracer(tracer);
  assert.deepEqual(logger.errors, [], `${where}: jaeger-client reported errors`);
  assert.equal(memory.spans.length, scenario.length);

  const resource = expectedJaegerResource(tracer);
  const expected = scenario.map(({ span, want }) => expectedJaegerRecord(span, resource, want));
  await assertTracesStored(srv, expected, where);

  const rootHex = traceHex(hexOf(scenario[1].span.context().traceId));
  assert.equal(rootHex.length, 32);
  if (!traceId128bit) assert.match(rootHex, /^0{16}[0-9a-f]{16}$/, '64-bit trace id, left-padded');
  assertJaegerResource(await waitForTrace(srv, rootHex, 4), tracer);
  return expected.length;
}

// ---- Zipkin: what the translation makes of a zipkin-js span ------------------------------------------

/**
 * A zipkin-js model Span (as its JSON_V2 encoder sends it) → the canonical record. Tags stay
 * strings (parse_string_tags is off); keys that are resource semantic conventions move to the
 * resource; endpoints become network.local.address / net.host.port / peer.service /
 * network.peer.address / net.peer.port; annotations become events.
 */
const ZIPKIN_RESOURCE_KEYS = new Set(['deployment.environment', 'service.version', 'host.name']);
const ZIPKIN_KINDS = { CLIENT: 'SPAN_KIND_CLIENT', SERVER: 'SPAN_KIND_SERVER', PRODUCER: 'SPAN_KIND_PRODUCER', CONSUMER: 'SPAN_KIND_CONSUMER' };

function expectedZipkinRecord(span, want) {
  const wire = JSON.parse(zipkin.jsonEncoder.JSON_V2.encode(span));
  const resource = { attributes: [kv('service.name', { stringValue: wire.localEndpoint.serviceName })] };
  const attrs = [];
  for (const [key, value] of Object.entries(wire.tags ?? {})) {
    if (ZIPKIN_RESOURCE_KEYS.has(key)) resource.attributes.push(kv(key, { stringValue: value }));
    else if (!(want.consumed ?? []).includes(key)) attrs.push(kv(key, { stringValue: value }));
  }
  const local = wire.localEndpoint ?? {};
  const remote = wire.remoteEndpoint ?? {};
  if (local.ipv4) attrs.push(kv('network.local.address', { stringValue: local.ipv4 }));
  if (local.port) attrs.push(kv('net.host.port', { intValue: String(local.port) }));
  if (remote.serviceName) attrs.push(kv('peer.service', { stringValue: remote.serviceName }));
  if (remote.ipv4) attrs.push(kv('network.peer.address', { stringValue: remote.ipv4 }));
  if (remote.port) attrs.push(kv('net.peer.port', { intValue: String(remote.port) }));

  const out = { traceId: hexToB64(traceHex(wire.traceId)), spanId: hexToB64(wire.id) };
  if (wire.parentId) out.parentSpanId = hexToB64(wire.parentId);
  out.name = wire.name;
  const kind = wire.kind ? ZIPKIN_KINDS[wire.kind] : want.kind;
  if (kind) out.kind = kind;
  out.startTimeUnixNano = nanosFromMicros(wire.timestamp);
  out.endTimeUnixNano = nanosFromMicros(wire.timestamp + wire.duration);
  if (attrs.length) out.attributes = attrs;
  const events = (wire.annotations ?? []).map((a) => ({ timeUnixNano: nanosFromMicros(a.timestamp), name: a.value }));
  if (events.length) out.events = events;
  if (want.status) out.status = want.status;
  return { resource, scope: {}, span: out };
}

/** An HttpLogger that only sends when told to, and the spans handed to it. */
function zipkinLogger(endpoint) {
  const http = new HttpLogger({ endpoint, jsonEncoder: zipkin.jsonEncoder.JSON_V2, httpInterval: 3_600_000, timeout: 10_000 });
  const sent = [];
  const responses = [];
  const errors = [];
  http.on('success', (res) => responses.push(res.status));
  http.on('error', (err) => errors.push(err.message));
  const logger = { logSpan(span) { sent.push(span); http.logSpan(span); } };
  /** Sends the queue and resolves when the POST is answered. */
  const flush = () => new Promise((resolve) => {
    const done = () => { http.off('success', done); http.off('error', done); resolve(); };
    http.on('success', done);
    http.on('error', done);
    http.processQueue(http.fetchImplementation);
  });
  return { logger, sent, responses, errors, flush };
}

/**
 * The Zipkin scenario at exact µs times: a local root (local endpoint with ip and port, a number
 * tag, an annotation) → a CLIENT child (remote endpoint, an `error` message tag, an annotation)
 * → a local grandchild (span.kind=internal, otel.status_code/description tags).
 * Returns [{id, want}] where id is the child TraceId of each span.
 */
function emitZipkinScenario(tracer) {
  const A = zipkin.Annotation;
  const t0 = (Math.floor(Date.now()) - 5000) * 1000 + 123;
  const rootId = tracer.createRootId();
  tracer.letId(rootId, () => {
    tracer.recordServiceName('Shop-Frontend');
    tracer.recordAnnotation(new A.LocalOperationStart('Checkout'), t0);
    tracer.recordAnnotation(new A.LocalAddr({ host: new zipkin.InetAddress('10.1.2.3'), port: 8080 }), t0);
    tracer.recordBinary('cart.items', 3);
    tracer.recordBinary('note', 'naïve "quoted" \\ back\nslash\t✓ 😀 \u0001');
    tracer.recordAnnotation(new A.Message('cache miss'), t0 + 10);
    tracer.recordAnnotation(new A.Message('cache|miss|user:42'), t0 + 11);  // not name|json|dropped: kept whole
  });
  const childId = tracer.letId(rootId, () => tracer.createChildId());
  tracer.letId(childId, () => {
    tracer.recordServiceName('Shop-Frontend');
    tracer.recordRpc('GET /cart');
    tracer.recordAnnotation(new A.ClientSend(), t0 + 20);
    tracer.recordAnnotation(new A.ServerAddr({ serviceName: 'cart', host: new zipkin.InetAddress('10.0.0.7'), port: 9000 }), t0 + 20);
    tracer.recordBinary('http.path', '/cart');
    tracer.recordBinary('error', 'timeout after 250ms');
    tracer.recordAnnotation(new A.Message('retrying'), t0 + 50);
    tracer.recordAnnotation(new A.ClientRecv(), t0 + 300);
  });
  const grandId = tracer.letId(childId, () => tracer.createChildId());
  tracer.letId(grandId, () => {
    tracer.recordServiceName('Shop-Frontend');
    tracer.recordAnnotation(new A.LocalOperationStart('price rules'), t0 + 301);
    tracer.recordBinary('span.kind', 'internal');
    tracer.recordBinary('otel.status_code', 'STATUS_CODE_ERROR');
    tracer.recordBinary('otel.status_description', 'rules engine timed out');
    tracer.recordBinary('rules.count', 12);
    tracer.recordAnnotation(new A.LocalOperationStop(), t0 + 351);
  });
  tracer.letId(rootId, () => tracer.recordAnnotation(new A.LocalOperationStop(), t0 + 400));
  return [
    { id: rootId, want: {} },
    { id: childId, want: { status: { code: 'STATUS_CODE_ERROR' } } },  // the message tag stays an attribute
    {
      id: grandId,
      want: {
        kind: 'SPAN_KIND_INTERNAL',
        status: { code: 'STATUS_CODE_ERROR', message: 'rules engine timed out' },
        consumed: ['span.kind', 'otel.status_code', 'otel.status_description'],
      },
    },
  ];
}

function zipkinTracer(recorder, traceId128Bit) {
  return new zipkin.Tracer({
    ctxImpl: new zipkin.ExplicitContext(),
    recorder,
    localServiceName: 'Shop-Frontend',
    traceId128Bit,
    defaultTags: { 'deployment.environment': 'e2e', team: 'payments' },
  });
}

/** Runs the Zipkin scenario (64- and 128-bit trace ids) and checks every span read back. */
async function zipkinRoundTrip(srv, port, where) {
  const z = zipkinLogger(`http://127.0.0.1:${port}/api/v2/spans`);
  const recorder = new zipkin.BatchRecorder({ logger: z.logger });
  const scenarios = [true, false].map((bits128) => emitZipkinScenario(zipkinTracer(recorder, bits128)));
  await z.flush();
  assert.deepEqual(z.errors, [], `${where}: HttpLogger errors`);
  assert.deepEqual(z.responses, [202], `${where}: one POST answered 202`);

  const byId = new Map(z.sent.map((s) => [s.id, s]));
  const expected = [];
  for (const scenario of scenarios) {
    for (const { id, want } of scenario) {
      const span = byId.get(id.spanId);
      assert.ok(span, `${where}: span ${id.spanId} was not sent`);
      expected.push(expectedZipkinRecord(span, want));
    }
  }
  assert.equal(z.sent.length, expected.length);
  await assertTracesStored(srv, expected, where);

  // A few facts by hand: names are lowercased by zipkin-js, ids are padded, the service is there.
  const [root, child] = scenarios[1];
  const hex = traceHex(root.id.traceId);
  assert.match(hex, /^0{16}[0-9a-f]{16}$/);
  const body = await waitForTrace(srv, hex, 3);
  const spans = flattenResourceSpans(body.trace.resourceSpans, where).map((r) => r.span);
  const c = spans.find((s) => b64ToHex(s.spanId) === child.id.spanId);
  assert.equal(c.name, 'get /cart');
  assert.equal(c.kind, 'SPAN_KIND_CLIENT');
  assert.equal(b64ToHex(c.parentSpanId), root.id.spanId);
  assert.deepEqual(body.trace.resourceSpans[0].resource.attributes.find((a) => a.key === 'service.name'),
    kv('service.name', { stringValue: 'shop-frontend' }));
  return expected.length;
}

// ---- 1. jaeger-client, HTTPSender → thrift over HTTP ----------------------------------------------

describe('jaeger-client HTTPSender → --jaeger-thrift-http-address', () => {
  test('a 128-bit trace (+ a second one it links to) reads back field by field', async () => {
    const [port] = await freePorts(1);
    await withServer(['--jaeger-thrift-http-address', `127.0.0.1:${port}`], async (srv) => {
      const logger = recordingLogger();
      const sender = new HTTPSender({ endpoint: `http://127.0.0.1:${port}/api/traces`, logger, timeoutMs: 10_000 });
      const n = await jaegerRoundTrip(srv, sender, logger, { traceId128bit: true, where: 'jaeger thrift http' });
      const accepted = await waitForMetric(srv, 'otelcol_receiver_accepted_spans', { receiver: 'jaeger', transport: 'thrift_http' }, n);
      assert.equal(accepted, n, 'accepted spans counted');
    });
  });

  test('a trace the client splits over several POSTs (maxSpanBatchSize) arrives whole', async () => {
    const [port] = await freePorts(1);
    await withServer(['--jaeger-thrift-http-address', `127.0.0.1:${port}`], async (srv) => {
      const logger = recordingLogger();
      const sender = new HTTPSender({ endpoint: `http://127.0.0.1:${port}/api/traces`, logger, maxSpanBatchSize: 40 });
      let posts = 0;
      const flush = sender.flush.bind(sender);
      sender.flush = (cb) => { if (sender._batch.spans.length) posts++; flush(cb); };
      const { tracer } = jaegerTracer(sender, logger, { traceId128bit: true });
      const t0 = Math.floor(Date.now()) - 5000;
      const root = tracer.startSpan('fan-out', { startTime: t0, tags: { 'span.kind': 'server' } });
      const spans = [];
      for (let i = 0; i < 149; i++) {
        const s = tracer.startSpan(`shard ${i}`, { childOf: root, startTime: t0 + i * 0.25, tags: { 'shard.index': i, 'span.kind': 'client' } });
        s.log({ event: 'picked', shard: `s-${i}` }, t0 + i * 0.25 + 0.125);
        s.finish(t0 + i * 0.25 + 0.5);
        spans.push(s);
      }
      root.finish(t0 + 100);
      await closeTracer(tracer);
      assert.deepEqual(logger.errors, []);
      assert.ok(posts >= 4, `expected the client to POST at least 4 batches, it sent ${posts}`);
      const resource = expectedJaegerResource(tracer);
      const consumed = ['span.kind'];
      const expected = [
        expectedJaegerRecord(root, resource, { kind: 'SPAN_KIND_SERVER', consumed }),
        ...spans.map((s) => expectedJaegerRecord(s, resource, { kind: 'SPAN_KIND_CLIENT', consumed })),
      ];
      await assertTracesStored(srv, expected, 'jaeger thrift http, several POSTs');
    });
  });
});

// ---- 2. jaeger-client, UDPSender → agent emitBatch over UDP ---------------------------------------

describe('jaeger-client UDPSender → --jaeger-thrift-binary-address', () => {
  test('a 64-bit trace sent as one emitBatch datagram reads back field by field', async () => {
    const [port] = await freePorts(1);  // a TCP port that was free; UDP on it is all but certainly free too
    await withServer(['--jaeger-thrift-binary-address', `127.0.0.1:${port}`], async (srv) => {
      const logger = recordingLogger();
      const sender = new UDPSender({ host: '127.0.0.1', port, logger });
      const n = await jaegerRoundTrip(srv, sender, logger, { traceId128bit: false, where: 'jaeger udp binary' });
      const accepted = await waitForMetric(srv, 'otelcol_receiver_accepted_spans', { receiver: 'jaeger', transport: 'udp_thrift_binary' }, n);
      assert.equal(accepted, n, 'accepted spans counted');
    });
  });
});

// ---- 3. zipkin-js → Zipkin v2 JSON over HTTP ----------------------------------------------------------

describe('zipkin-js BatchRecorder + HttpLogger (JSON v2) → --zipkin-address', () => {
  test('a local root, a client child and a local grandchild read back field by field', async () => {
    const [port] = await freePorts(1);
    await withServer(['--zipkin-address', `127.0.0.1:${port}`], async (srv) => {
      await zipkinRoundTrip(srv, port, 'zipkin json v2');
    });
  });
});

// ---- 4. bad input: a clear refusal, and the server keeps serving --------------------------------------

const GARBAGE = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0xff, 0x00, 0x7b, 0x5b, 0x0c]);

function assertRefused(res, status, pattern, what) {
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${JSON.stringify(res.text)}`);
  assert.match(res.text, pattern, `${what}: the answer should name the problem`);
}

describe('bad input', () => {
  test('jaeger thrift over HTTP: 400 naming the problem, then a good batch is stored', async () => {
    const [port] = await freePorts(1);
    await withServer(['--jaeger-thrift-http-address', `127.0.0.1:${port}`], async (srv) => {
      const url = `http://127.0.0.1:${port}/api/traces`;
      assertRefused(await post(url, GARBAGE, { 'content-type': 'application/x-thrift' }),
        400, /thrift.*(malformed|truncated)/i, 'garbage thrift');
      assertRefused(await post(url, GARBAGE, { 'content-type': 'application/vnd.apache.thrift.binary' }),
        400, /thrift.*(malformed|truncated)/i, 'garbage thrift (vnd.apache.thrift.binary)');
      assertRefused(await post(url, Buffer.alloc(0), { 'content-type': 'application/x-thrift' }),
        400, /thrift/i, 'empty body');
      assertRefused(await post(url, GARBAGE, { 'content-type': 'application/x-thrift', 'content-encoding': 'gzip' }),
        400, /gzip|deflate|inflate|compress|header/i, 'garbage gzip');
      assertRefused(await post(url, zlib.gzipSync(GARBAGE), { 'content-type': 'application/x-thrift', 'content-encoding': 'gzip' }),
        400, /thrift.*(malformed|truncated)/i, 'gzipped garbage thrift');
      assertRefused(await post(url, '{"spans":[]}', { 'content-type': 'application/json' }),
        400, /content type.*application\/json/i, 'JSON to the thrift endpoint');
      assert.ok(srv.running, srv.describe('server died on bad input'));

      const logger = recordingLogger();
      const sender = new HTTPSender({ endpoint: url, logger, timeoutMs: 10_000 });
      await jaegerRoundTrip(srv, sender, logger, { traceId128bit: true, where: 'jaeger thrift http after garbage' });
    });
  });

  test('zipkin v2 over HTTP: 400 naming the problem, then good spans are stored', async () => {
    const [port] = await freePorts(1);
    await withServer(['--zipkin-address', `127.0.0.1:${port}`], async (srv) => {
      const url = `http://127.0.0.1:${port}/api/v2/spans`;
      assertRefused(await post(url, GARBAGE, { 'content-type': 'application/json' }),
        400, /JSON/, 'garbage JSON');
      assertRefused(await post(url, '[{"traceId": "00000000000000aa", "id": ', { 'content-type': 'application/json' }),
        400, /JSON/, 'truncated JSON');
      assertRefused(await post(url, GARBAGE, { 'content-type': 'application/x-protobuf' }),
        400, /protobuf/i, 'garbage protobuf');
      assertRefused(await post(url, '[{"traceId":"not-hex-at-all!","id":"00000000000000a1"}]', { 'content-type': 'application/json' }),
        400, /traceId/, 'bad traceId');
      assertRefused(await post(url, '[{"traceId":"00000000000000aa","id":"xyz"}]', { 'content-type': 'application/json' }),
        400, /\bid\b/, 'bad span id');
      assert.ok(srv.running, srv.describe('server died on bad input'));

      await zipkinRoundTrip(srv, port, 'zipkin json v2 after garbage');
    });
  });

  test('jaeger UDP: garbage and wrong-protocol datagrams are counted as invalid, then a good one is stored', async () => {
    const [compact, binary] = await freePorts(2);
    await withServer([
      '--jaeger-thrift-compact-address', `127.0.0.1:${compact}`,
      '--jaeger-thrift-binary-address', `127.0.0.1:${binary}`,
    ], async (srv) => {
      const invalid = (transport) => ({ receiver: 'jaeger', transport, reason: 'invalid' });
      const sock = dgram.createSocket('udp4');
      try {
        for (const port of [compact, binary]) {
          await new Promise((resolve, reject) => sock.send(GARBAGE, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
        }
      } finally {
        sock.close();
      }
      assert.equal(await waitForMetric(srv, 'otelcol_receiver_dropped_packets', invalid('udp_thrift_compact'), 1), 1);
      assert.equal(await waitForMetric(srv, 'otelcol_receiver_dropped_packets', invalid('udp_thrift_binary'), 1), 1);

      // jaeger-client's UDPSender speaks binary thrift only: the compact port must refuse it.
      const wrongLogger = recordingLogger();
      const wrong = jaegerTracer(new UDPSender({ host: '127.0.0.1', port: compact, logger: wrongLogger }), wrongLogger, { traceId128bit: false });
      const span = wrong.tracer.startSpan('to the wrong port');
      span.finish();
      await closeTracer(wrong.tracer);
      assert.equal(await waitForMetric(srv, 'otelcol_receiver_dropped_packets', invalid('udp_thrift_compact'), 2), 2,
        'a binary-protocol emitBatch on the compact port is an invalid datagram');
      const res = await httpGet(`${srv.httpUrl}/api/v2/traces/${traceHex(hexOf(span.context().traceId))}`);
      assert.equal(res.status, 404, 'nothing stored from the wrong-protocol datagram');
      assert.ok(srv.running, srv.describe('server died on bad input'));

      const logger = recordingLogger();
      const sender = new UDPSender({ host: '127.0.0.1', port: binary, logger });
      await jaegerRoundTrip(srv, sender, logger, { traceId128bit: false, where: 'jaeger udp binary after garbage' });
    });
  });
});
