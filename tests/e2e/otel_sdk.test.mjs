// Traces made by the real OpenTelemetry JS SDK, sent by each of its OTLP exporters (gRPC,
// HTTP/protobuf, HTTP/JSON; plain and gzip) to the real `tracehouse serve`, read back through
// Tempo's /api/traces/<id> and /api/v2/traces/<id> as JSON and protobuf, and compared field by
// field with what the SDK exported.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/otel_sdk.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Metadata } from '@grpc/grpc-js';
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, createTraceState, trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import {
  RecordingExporter, assertSameRecords, countSpans, expectedRecords, findDefaultValuedFields,
  flattenResourceSpans, stripDefaults,
} from './lib/otlp.mjs';
import { Trace, TraceByIDResponse, decodeCanonical } from './lib/proto.mjs';
import { httpGet, startServer } from './lib/server.mjs';

let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  if (!srv) return;
  await srv.stop();
  await srv.cleanup();
});

// ---- exporters ---------------------------------------------------------------------------------

const EXPORTERS = {
  'grpc': ({ tenant, gzip }) => {
    const metadata = new Metadata();
    if (tenant) metadata.set('x-scope-orgid', tenant);
    return new GrpcExporter({
      url: `http://${srv.grpcAddress}`,
      metadata,
      compression: gzip ? 'gzip' : 'none',
      timeoutMillis: 10_000,
    });
  },
  'http/protobuf': ({ tenant, gzip }) => new ProtoExporter({
    url: `${srv.otlpHttpUrl}/v1/traces`,
    headers: tenant ? { 'X-Scope-OrgID': tenant } : {},
    compression: gzip ? 'gzip' : 'none',
    timeoutMillis: 10_000,
  }),
  'http/json': ({ tenant, gzip }) => new JsonExporter({
    url: `${srv.otlpHttpUrl}/v1/traces`,
    headers: tenant ? { 'X-Scope-OrgID': tenant } : {},
    compression: gzip ? 'gzip' : 'none',
    timeoutMillis: 10_000,
  }),
};

// ---- the scenario: three traces covering every field the SDK can set -----------------------------

/**
 * Emits through `exporter` and returns the ReadableSpans it exported:
 *   trace A: SERVER root → CLIENT child (exception event, ERROR status) → INTERNAL grandchild
 *            (second tracer with schema URL; links; attributes, events and links over the limits);
 *   trace B: a PRODUCER span that A's grandchild links to;
 *   trace C: a CONSUMER span whose parent is remote and carries a trace state.
 */
async function emitScenario(exporter, { idGenerator } = {}) {
  const rec = new RecordingExporter(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: 'checkout',
      [ATTR_SERVICE_VERSION]: '2.4.1',
      'deployment.environment.name': 'e2e',
      'host.cpu.count': 2,
      'process.runtime.ratio': 0.75,
      'feature.enabled': true,
      'cloud.zones': ['eu-west-1a', 'eu-west-1b'],
    }, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }),
    spanLimits: {
      attributeCountLimit: 32,
      eventCountLimit: 4,
      linkCountLimit: 3,
      attributePerEventCountLimit: 4,
      attributePerLinkCountLimit: 4,
    },
    ...(idGenerator ? { idGenerator } : {}),
    spanProcessors: [new BatchSpanProcessor(rec, {
      scheduledDelayMillis: 60_000, maxExportBatchSize: 512, maxQueueSize: 2048,
    })],
  });
  const tracer = provider.getTracer('tracehouse-e2e', '1.2.3');
  const dbTracer = provider.getTracer('tracehouse-e2e.pricing', '0.9.0-beta.1',
    { schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' });

  const nowSec = Math.floor(Date.now() / 1000);

  // Trace B.
  const producer = tracer.startSpan('enqueue-job', {
    kind: SpanKind.PRODUCER,
    startTime: [nowSec - 6, 1],
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 3 },
  });
  producer.end([nowSec - 6, 2_000_001]);

  // Trace C: remote parent with a trace state.
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: crypto.randomBytes(16).toString('hex'),
    spanId: crypto.randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
  });
  const consumer = tracer.startSpan('process-job', {
    kind: SpanKind.CONSUMER,
    startTime: [nowSec - 5, 500_000_000],
    attributes: { 'messaging.operation.type': 'process' },
  }, remoteParent);
  consumer.setStatus({ code: SpanStatusCode.OK });
  consumer.end([nowSec - 5, 999_999_999]);

  // Trace A.
  const root = tracer.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    startTime: [nowSec - 5, 123_456_789],
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/checkout',
      'http.response.status_code': 500,
      'retry.count': 0,
      'big.int': Number.MAX_SAFE_INTEGER,
      'neg.int': -Number.MAX_SAFE_INTEGER,
      'ratio': 0.125,
      'neg.double': -2.5e-7,
      'tiny.double': 6.02214076e-23,
      'frac.double': 123456789.125,
      'is.cached': false,
      'is.authenticated': true,
      'empty.string': '',
      'unicode': 'héllo wörld ✓ 日本語 \u{1F680} "quoted" \\ back\nslash',
      'tags': ['alpha', 'beta', ''],
      'ports': [80, 443, -1],
      'weights': [0.5, 1.25, -3.75],
      'mixed.numbers': [1, 2.5, 3],
      'flags': [true, false, true],
      'empty.array': [],
      'sparse': ['a', null, 'c'],
    },
  });
  root.addEvent('request.received', {
    'http.request.body.size': 512,
    'accepted': false,
    'content.types': ['application/json', 'text/plain'],
    'load': 0.97,
  }, [nowSec - 5, 123_999_999]);
  root.addEvent('no-attributes');
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);

  const client = tracer.startSpan('POST /payments', {
    kind: SpanKind.CLIENT,
    attributes: { 'server.address': 'payments.internal', 'server.port': 8443 },
  }, rootCtx);
  client.recordException(new TypeError('card declined by issuer'));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed: card declined (code 51)' });
  const clientCtx = trace.setSpan(rootCtx, client);

  // The SDK drops the oldest link over linkCountLimit: the first one here (to the root) goes.
  const grandchild = dbTracer.startSpan('compute-total', {
    kind: SpanKind.INTERNAL,
    startTime: [nowSec - 4, 0],
    links: [
      { context: root.spanContext(), attributes: { 'dropped.link': true } },
      {
        context: { ...producer.spanContext(), traceState: createTraceState('vendor=abc,other=1') },
        attributes: { 'link.reason': 'batch', 'link.index': 0, 'link.weight': 0.5, 'link.ok': true, 'link.extra': 'x', 'link.more': 'y' },
      },
    ],
  }, clientCtx);
  grandchild.addLink({
    context: {
      traceId: crypto.randomBytes(16).toString('hex'),
      spanId: crypto.randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    },
  });
  grandchild.addLink({ context: client.spanContext(), attributes: { 'link.kind': 'parent-like' } });
  for (let i = 0; i < 40; i++) grandchild.setAttribute(`attr.${String(i).padStart(2, '0')}`, i % 3 ? `v${i}` : i);
  for (let i = 0; i < 6; i++) {
    grandchild.addEvent(`step-${i}`, { 'step': i, 'a': 'x', 'b': 1.5, 'c': true, 'd': ['y'], 'e': 'over-limit' },
      [nowSec - 4, 1000 * (i + 1)]);
  }
  grandchild.end([nowSec - 4, 999_999_999]);

  client.end();
  root.end();

  await provider.forceFlush();
  rec.assertAllSucceeded('SDK export');
  await provider.shutdown();

  const traceIds = {
    A: root.spanContext().traceId,
    B: producer.spanContext().traceId,
    C: consumer.spanContext().traceId,
  };
  return { spans: rec.spans, traceIds };
}

// ---- reading back ------------------------------------------------------------------------------

function tenantHeaders(tenant) {
  return tenant ? { 'X-Scope-OrgID': tenant } : {};
}

function parseJson(res, where) {
  const text = res.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    assert.fail(`${where}: body is not JSON (${e.message}): ${text.slice(0, 300)}`);
  }
}

function assertStatus(res, want, where) {
  assert.equal(res.status, want,
    srv.describe(`${where}: HTTP ${res.status}, want ${want}; body: ${res.body.toString('utf8').slice(0, 300)}`));
}

/** GETs one form of a trace; returns its flat records. form ∈ v1-json, v2-json, v1-proto, v2-proto. */
async function readForm(hexId, form, tenant) {
  const v2 = form.startsWith('v2');
  const proto = form.endsWith('proto');
  const url = `${srv.httpUrl}/api/${v2 ? 'v2/' : ''}traces/${hexId}`;
  const headers = { ...tenantHeaders(tenant), ...(proto ? { Accept: 'application/protobuf' } : {}) };
  const where = `GET ${url.replace(srv.httpUrl, '')} [${form}${tenant ? `, tenant ${tenant}` : ''}]`;
  const res = await httpGet(url, headers);
  assertStatus(res, 200, where);
  const ctype = res.headers.get('content-type') ?? '';
  if (proto) {
    assert.match(ctype, /^application\/protobuf\b/, `${where}: Content-Type "${ctype}"`);
    let msg;
    try {
      msg = stripDefaults(decodeCanonical(v2 ? TraceByIDResponse : Trace, res.body));
    } catch (e) {
      assert.fail(`${where}: body does not decode as ${v2 ? 'tempopb.TraceByIDResponse' : 'tempopb.Trace'}: ${e.message}`);
    }
    if (v2) {
      assert.notEqual(msg.status, 'PARTIAL', `${where}: status PARTIAL (${msg.message})`);
      assert.ok(msg.trace, `${where}: no trace in TraceByIDResponse`);
      return flattenResourceSpans(msg.trace.resourceSpans ?? [], where);
    }
    return flattenResourceSpans(msg.resourceSpans ?? [], where);
  }
  assert.match(ctype, /^application\/json\b/, `${where}: Content-Type "${ctype}"`);
  const body = parseJson(res, where);
  const defaults = findDefaultValuedFields(body);
  assert.deepEqual(defaults, [], `${where}: canonical JSON omits zero/empty fields, but found: ${defaults.join(', ')}`);
  if (v2) {
    for (const k of Object.keys(body)) {
      assert.ok(['trace', 'metrics', 'status', 'message'].includes(k), `${where}: unexpected top-level key "${k}"`);
    }
    assert.notEqual(body.status, 'PARTIAL', `${where}: status PARTIAL (${body.message})`);
    if (body.metrics?.inspectedBytes !== undefined) {
      assert.match(String(body.metrics.inspectedBytes), /^\d+$/, `${where}: metrics.inspectedBytes`);
      assert.equal(typeof body.metrics.inspectedBytes, 'string', `${where}: metrics.inspectedBytes must be a string (uint64)`);
    }
    assert.ok(body.trace && typeof body.trace === 'object', `${where}: no "trace" object: ${JSON.stringify(body).slice(0, 200)}`);
    for (const k of Object.keys(body.trace)) assert.equal(k, 'resourceSpans', `${where}: unexpected key trace.${k}`);
    return flattenResourceSpans(body.trace.resourceSpans, where);
  }
  for (const k of Object.keys(body)) assert.equal(k, 'batches', `${where}: unexpected top-level key "${k}"`);
  return flattenResourceSpans(body.batches, where);
}

const FORMS = ['v1-json', 'v2-json', 'v1-proto', 'v2-proto'];

/** Reads every trace of the scenario in all four forms and compares each with what was exported. */
async function verifyScenario({ spans, traceIds }, tenant) {
  const expected = expectedRecords(spans);
  const failures = [];
  for (const [label, hexId] of Object.entries(traceIds)) {
    const want = expected.filter((r) => Buffer.from(r.span.traceId, 'base64').toString('hex') === hexId);
    assert.ok(want.length > 0, `no exported spans for trace ${label}`);
    for (const form of FORMS) {
      try {
        const got = await readForm(hexId, form, tenant);
        assertSameRecords(got, want, `trace ${label} ${hexId} [${form}]`);
      } catch (e) {
        failures.push(e.message);
      }
    }
  }
  if (failures.length) assert.fail(`${failures.length} read(s) failed:\n\n${failures.join('\n\n')}`);
}

/** Guards the scenario itself (e.g. across SDK upgrades): what it exports has every feature. */
function assertScenarioCoverage({ spans }) {
  assert.equal(spans.length, 5, 'the scenario exports 5 spans');
  const byName = Object.fromEntries(expectedRecords(spans).map((r) => [r.span.name, r]));
  const g = byName['compute-total'].span;
  assert.equal(g.droppedAttributesCount, 8);
  assert.equal(g.droppedEventsCount, 2);
  assert.equal(g.droppedLinksCount, 1);
  assert.equal(g.links.length, 3);
  assert.equal(g.links[0].traceState, 'vendor=abc,other=1');
  assert.equal(g.links[0].droppedAttributesCount, 2);
  assert.equal(g.links[1].flags, 0x300);
  assert.equal(g.events[0].droppedAttributesCount, 2);
  assert.equal(byName['compute-total'].scopeSchemaUrl, 'https://opentelemetry.io/schemas/1.21.0');
  assert.equal(byName['compute-total'].resourceSchemaUrl, 'https://opentelemetry.io/schemas/1.26.0');
  const c = byName['process-job'].span;
  assert.equal(c.traceState, 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
  assert.equal(c.flags, 0x301);
  assert.deepEqual(c.status, { code: 'STATUS_CODE_OK' });
  const cl = byName['POST /payments'].span;
  assert.deepEqual(cl.status, { code: 'STATUS_CODE_ERROR', message: 'payment failed: card declined (code 51)' });
  assert.equal(cl.events[0].name, 'exception');
  const root = byName['GET /checkout'].span;
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.startTimeUnixNano.slice(-9), '123456789');
  const types = new Set(root.attributes.map((a) => Object.keys(a.value)[0]));
  for (const t of ['stringValue', 'intValue', 'doubleValue', 'boolValue', 'arrayValue']) assert.ok(types.has(t), t);
}

// ---- tests -------------------------------------------------------------------------------------

describe('OpenTelemetry JS SDK → tracehouse → Tempo API: every field round-trips', () => {
  for (const name of Object.keys(EXPORTERS)) {
    for (const gzip of [false, true]) {
      test(`${name}${gzip ? ' (gzip)' : ''}`, async () => {
        const sent = await emitScenario(EXPORTERS[name]({ gzip }));
        assertScenarioCoverage(sent);
        await verifyScenario(sent);
      });
    }
  }
});

describe('trace ids in the query path', () => {
  test('ids of 1 to 32 hex digits, leading zeros trimmed or not, either case', async () => {
    // Trace ids with 31 and 20 leading zero digits.
    const traceIds = ['0'.repeat(31) + '7', '0'.repeat(20) + 'a1b2c3d4e5f6'];
    let next = 0;
    const idGenerator = {
      generateTraceId: () => traceIds[next++ % traceIds.length],
      generateSpanId: () => crypto.randomBytes(8).toString('hex'),
    };
    const sent = await emitScenario(EXPORTERS['http/protobuf']({}), { idGenerator });
    // Scenario order: B (producer) takes traceIds[0], A (root) traceIds[1]; C has a remote parent.
    assert.equal(sent.traceIds.B, traceIds[0]);
    assert.equal(sent.traceIds.A, traceIds[1]);
    const expected = expectedRecords(sent.spans);
    const cases = [
      ['7', 'B'], ['07', 'B'], ['0000000000000007', 'B'], ['0'.repeat(31) + '7', 'B'],
      ['a1b2c3d4e5f6', 'A'], ['A1B2C3D4E5F6', 'A'], ['0000a1b2c3d4e5f6', 'A'],
      ['0'.repeat(20) + 'a1b2c3d4e5f6', 'A'], ['0'.repeat(20) + 'A1B2C3D4E5F6', 'A'],
    ];
    const failures = [];
    for (const [id, label] of cases) {
      const full = sent.traceIds[label];
      const want = expected.filter((r) => Buffer.from(r.span.traceId, 'base64').toString('hex') === full);
      for (const form of FORMS) {
        try {
          assertSameRecords(await readForm(id, form), want, `id "${id}" [${form}]`);
        } catch (e) {
          failures.push(e.message);
        }
      }
    }
    if (failures.length) assert.fail(failures.join('\n\n'));
  });

  test('unknown id → 404', async () => {
    for (const id of [crypto.randomBytes(16).toString('hex'), crypto.randomBytes(8).toString('hex'), '1']) {
      for (const v of ['', 'v2/']) {
        for (const accept of [{}, { Accept: 'application/protobuf' }]) {
          const res = await httpGet(`${srv.httpUrl}/api/${v}traces/${id}`, accept);
          assertStatus(res, 404, `GET /api/${v}traces/${id} ${accept.Accept ?? ''}`);
        }
      }
    }
  });

  test('malformed id → 400', async () => {
    const bad = ['xyz', `g${'0'.repeat(31)}`, '1'.repeat(33), '0'.repeat(33), '12-34', 'abc%20def', '0x1234'];
    for (const id of bad) {
      for (const v of ['', 'v2/']) {
        const res = await httpGet(`${srv.httpUrl}/api/${v}traces/${id}`);
        assertStatus(res, 400, `GET /api/${v}traces/${id}`);
      }
    }
  });
});

describe('tenancy (X-Scope-OrgID / x-scope-orgid)', () => {
  for (const name of ['grpc', 'http/protobuf', 'http/json']) {
    test(`${name}: a trace sent for tenant A is visible to A only`, async () => {
      const sent = await emitScenario(EXPORTERS[name]({ tenant: 'tenant-a' }));
      await verifyScenario(sent, 'tenant-a');
      for (const hexId of Object.values(sent.traceIds)) {
        for (const [headers, who] of [[{ 'X-Scope-OrgID': 'tenant-b' }, 'tenant-b'], [{}, 'no header (single-tenant)']]) {
          for (const v of ['', 'v2/']) {
            const res = await httpGet(`${srv.httpUrl}/api/${v}traces/${hexId}`, headers);
            assertStatus(res, 404, `tenant-a trace ${hexId} read by ${who} via /api/${v}traces`);
          }
        }
      }
    });
  }

  test('no tenant means "single-tenant"', async () => {
    const sent = await emitScenario(EXPORTERS.grpc({}));
    const hexId = sent.traceIds.A;
    await verifyScenario(sent);
    await verifyScenario(sent, 'single-tenant');
    const res = await httpGet(`${srv.httpUrl}/api/traces/${hexId}`, { 'X-Scope-OrgID': 'tenant-a' });
    assertStatus(res, 404, `single-tenant trace read by tenant-a`);
    const body = parseJson(await httpGet(`${srv.httpUrl}/api/v2/traces/${hexId}`), 'v2');
    assert.equal(countSpans(body.trace.resourceSpans), 3);
  });
});
