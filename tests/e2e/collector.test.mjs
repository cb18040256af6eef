// `tracehouse collector` as an agent in front of `tracehouse serve` gateways, with real clients:
// the OpenTelemetry JS SDK and `tracehouse loadgen` send to the agent; the agent filters, batches,
// samples and forwards over OTLP/gRPC and Jaeger gRPC; spans are read back from the gateways'
// Tempo API. Also: the seed's collector config runs unchanged, and a dead downstream fills the
// agent's queue, senders get retryable errors at bounded memory, and nothing acknowledged is lost
// once the downstream returns.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/collector.test.mjs

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { expectations, readAckLog, summarize, verifyAll, verifyEventually } from './lib/acks.mjs';
import { metricSum, startCollector } from './lib/collector.mjs';
import {
  RecordingExporter, assertSameRecords, b64ToHex, expectedRecords, flattenResourceSpans,
} from './lib/otlp.mjs';
import {
  REPO_ROOT, freePorts, httpGet, makeTempDir, removeDir, runTool, startServer, startTool,
} from './lib/server.mjs';

// ---- helpers ---------------------------------------------------------------------------------------

/** Sends spans made by `build(tracer)` through the SDK's OTLP/gRPC exporter; returns ReadableSpans. */
async function sendWithSdk(grpcAddress, build, service = 'checkout') {
  const exporter = new RecordingExporter(new GrpcExporter({ url: `http://${grpcAddress}`, timeoutMillis: 10_000 }));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('e2e-collector', '1.0.0');
  build(tracer);
  await provider.forceFlush();
  await provider.shutdown();
  exporter.assertAllSucceeded('sdk → agent');
  return exporter.spans;
}

/** A span at fixed times (ms since epoch), optionally under `parent`. */
function spanAt(tracer, name, { startMs, durationMs, attributes = {}, parent, kind = SpanKind.SERVER, error }) {
  const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  const s = tracer.startSpan(name, { kind, attributes, startTime: startMs }, ctx);
  if (error) s.setStatus({ code: SpanStatusCode.ERROR, message: error });
  s.end(startMs + durationMs);
  return s;
}

/** GET /api/v2/traces/<id> until it has `want` spans (or the deadline); returns the JSON body or null. */
async function waitForTrace(srv, traceId, want, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    const res = await httpGet(`${srv.httpUrl}/api/v2/traces/${traceId}`);
    if (res.status === 200) {
      last = JSON.parse(res.body.toString());
      const n = (last.trace?.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).length;
      if (n >= want) return last;
    }
    await sleep(100);
  }
  return last;
}

async function traceStatus(srv, traceId) {
  return (await httpGet(`${srv.httpUrl}/api/v2/traces/${traceId}`)).status;
}

// The fields the Jaeger model keeps for OTLP spans, as comparable JSON.
function projection(resourceSpans) {
  const out = [];
  for (const rs of resourceSpans ?? []) {
    const service = (rs.resource?.attributes ?? []).find((a) => a.key === 'service.name')?.value?.stringValue;
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const attrs = {};
        for (const a of s.attributes ?? []) attrs[a.key] = JSON.stringify(a.value);
        out.push({
          service, traceId: b64ToHex(s.traceId), spanId: b64ToHex(s.spanId),
          parentSpanId: s.parentSpanId ? b64ToHex(s.parentSpanId) : '',
          name: s.name, kind: s.kind ?? 'SPAN_KIND_UNSPECIFIED',
          start: String(s.startTimeUnixNano), end: String(s.endTimeUnixNano),
          status: s.status?.code ?? 'STATUS_CODE_UNSET', attrs,
        });
      }
    }
  }
  return out.sort((a, b) => a.spanId.localeCompare(b.spanId));
}

// ---- agent → gateways ------------------------------------------------------------------------------

describe('agent (collector) → gateways (serve)', () => {
  let otlpGateway;    // receives the agent's OTLP/gRPC export
  let jaegerGateway;  // receives the agent's Jaeger gRPC export
  let agent;
  let agentGrpc;
  let healthPort;
  let metricsPort;

  before(async () => {
    otlpGateway = await startServer();
    const [jaegerGrpc] = await freePorts(1);
    jaegerGateway = await startServer({ extraArgs: ['--jaeger-grpc-address', `127.0.0.1:${jaegerGrpc}`] });
    [agentGrpc, healthPort, metricsPort] = await freePorts(3);
    // The seed's processors and exporters, on loopback ports.
    agent = await startCollector(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:${agentGrpc}}
processors:
  batch:
    timeout: 200ms
    send_batch_size: 1024
  filter:
    spans:
      exclude:
        match_type: regexp
        attributes:
          - {key: http.target, value: "^/health.*"}
exporters:
  otlp:
    endpoint: ${otlpGateway.grpcAddress}
    tls: {insecure: true}
  jaeger:
    endpoint: 127.0.0.1:${jaegerGrpc}
    tls: {insecure: true}
extensions:
  health_check: {endpoint: 127.0.0.1:${healthPort}}
service:
  extensions: [health_check]
  telemetry:
    metrics: {address: 127.0.0.1:${metricsPort}}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch, filter]
      exporters: [otlp, jaeger]
`);
  });

  after(async () => {
    await agent?.stop();
    for (const s of [otlpGateway, jaegerGateway]) {
      if (!s) continue;
      await s.stop();
      await s.cleanup();
    }
  });

  test('health_check answers 200 with the Collector\'s body', async () => {
    const res = await httpGet(`http://127.0.0.1:${healthPort}/`);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body.toString()).status, 'Server available');
  });

  test('the seed\'s filter drops health checks; the rest arrives identical over OTLP and Jaeger', async () => {
    const now = Date.now() - 60_000;
    const spans = await sendWithSdk(`127.0.0.1:${agentGrpc}`, (tracer) => {
      // A trace of two spans that must arrive, and a health-check trace that must not.
      const root = spanAt(tracer, 'GET /api/orders', { startMs: now, durationMs: 40, attributes: { 'http.target': '/api/orders', 'http.status_code': 200 } });
      spanAt(tracer, 'SELECT orders', { startMs: now + 5, durationMs: 20, parent: root, kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'rows': 3.5, 'cached': false } });
      spanAt(tracer, 'GET /healthz', { startMs: now, durationMs: 1, attributes: { 'http.target': '/healthz' } });
      // A child health span inside a kept trace is dropped on its own.
      const root2 = spanAt(tracer, 'GET /api/cart', { startMs: now, durationMs: 30, attributes: { 'http.target': '/api/cart' }, error: 'boom' });
      spanAt(tracer, 'probe', { startMs: now + 1, durationMs: 1, parent: root2, attributes: { 'http.target': '/health/live' } });
    });
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    const kept = [byName['GET /api/orders'], byName['SELECT orders']];
    const orders = kept[0].spanContext().traceId;
    const cart = byName['GET /api/cart'].spanContext().traceId;
    const health = byName['GET /healthz'].spanContext().traceId;

    // OTLP gateway: exactly what the SDK sent.
    const body = await waitForTrace(otlpGateway, orders, 2);
    assert.ok(body, otlpGateway.describe('trace never reached the OTLP gateway'));
    assertSameRecords(flattenResourceSpans(body.trace.resourceSpans, 'otlp gateway'), expectedRecords(kept), 'otlp gateway');
    const cartBody = await waitForTrace(otlpGateway, cart, 1);
    assert.deepEqual(cartBody.trace.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans).map((s) => s.name), ['GET /api/cart']);

    // Jaeger gateway: the same spans in every field the Jaeger model carries.
    const jaegerBody = await waitForTrace(jaegerGateway, orders, 2);
    assert.ok(jaegerBody, jaegerGateway.describe('trace never reached the Jaeger gateway'));
    assert.deepEqual(projection(jaegerBody.trace.resourceSpans), projection(body.trace.resourceSpans));

    // The health-check trace is nowhere.
    await sleep(500);
    assert.equal(await traceStatus(otlpGateway, health), 404);
    assert.equal(await traceStatus(jaegerGateway, health), 404);

    const metrics = (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).body.toString();
    assert.ok(metricSum(metrics, 'otelcol_receiver_accepted_spans', { receiver: 'otlp' }) >= 5, metrics);
    assert.ok(metricSum(metrics, 'otelcol_exporter_sent_spans', { exporter: 'otlp' }) >= 3, metrics);
  });

  test('loadgen traces acknowledged by the agent all reach the gateway with their span counts', async () => {
    const dir = await makeTempDir();
    try {
      const ackLog = path.join(dir, 'acks.log');
      const lg = await runTool(['loadgen', '--endpoint', `127.0.0.1:${agentGrpc}`, '--spans', '30000',
        '--rate', '30000', '--concurrency', '2', '--ack-log', ackLog, '--seed', '77'], { timeoutMs: 60_000 });
      assert.equal(lg.code, 0, lg.stderr);
      const wanted = expectations(await readAckLog(ackLog));
      assert.ok(wanted.length > 100, `only ${wanted.length} traces acknowledged`);
      // Wait for the agent's queues to drain into the gateway.
      const failures = await verifyEventually(otlpGateway, wanted, 20_000);
      assert.equal(failures.length, 0, summarize(failures, wanted.length));
    } finally {
      await removeDir(dir);
    }
  });
});

// ---- tail sampling ---------------------------------------------------------------------------------

test('tail_sampling keeps slow and failing traces and drops the rest', async () => {
  const gateway = await startServer();
  const [agentGrpc] = await freePorts(1);
  const agent = await startCollector(`
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:${agentGrpc}}}}
processors:
  tail_sampling:
    decision_wait: 500ms
    policies:
      - {name: slow, type: latency, latency: {threshold_ms: 500}}
      - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
exporters:
  otlp: {endpoint: ${gateway.grpcAddress}, tls: {insecure: true}}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], processors: [tail_sampling], exporters: [otlp]}
`);
  try {
    const now = Date.now() - 60_000;
    const spans = await sendWithSdk(`127.0.0.1:${agentGrpc}`, (tracer) => {
      const slow = spanAt(tracer, 'slow root', { startMs: now, durationMs: 900 });
      spanAt(tracer, 'slow child', { startMs: now + 10, durationMs: 100, parent: slow });
      const failing = spanAt(tracer, 'failing root', { startMs: now, durationMs: 20 });
      spanAt(tracer, 'failing child', { startMs: now + 1, durationMs: 5, parent: failing, error: 'timeout' });
      const fast = spanAt(tracer, 'fast root', { startMs: now, durationMs: 20 });
      spanAt(tracer, 'fast child', { startMs: now + 1, durationMs: 5, parent: fast });
    });
    const id = (name) => spans.find((s) => s.name === name).spanContext().traceId;
    assert.ok(await waitForTrace(gateway, id('slow root'), 2), gateway.describe('slow trace not kept'));
    assert.ok(await waitForTrace(gateway, id('failing root'), 2), gateway.describe('failing trace not kept'));
    await sleep(1000);
    assert.equal(await traceStatus(gateway, id('fast root')), 404, 'the fast, healthy trace must be sampled out');
  } finally {
    await agent.stop();
    await gateway.stop();
    await gateway.cleanup();
  }
});

// ---- a dead downstream -----------------------------------------------------------------------------

test('a dead downstream fills the queue, senders get retryable errors at bounded memory, nothing acknowledged is lost', async () => {
  const dir = await makeTempDir();
  const [agentGrpc, gatewayGrpc, metricsPort] = await freePorts(3);
  const agent = await startCollector(`
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:${agentGrpc}}}}
processors:
  batch: {timeout: 100ms, send_batch_size: 2000}
exporters:
  otlp:
    endpoint: 127.0.0.1:${gatewayGrpc}
    tls: {insecure: true}
    timeout: 2s
    sending_queue: {queue_size: 20, num_consumers: 2}
    retry_on_failure: {initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 10m}
service:
  telemetry: {metrics: {address: 127.0.0.1:${metricsPort}}}
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [otlp]}
`, { env: { ASAN_OPTIONS: 'quarantine_size_mb=8:detect_leaks=0' } });
  let gateway;
  try {
    const ackLog = path.join(dir, 'acks.log');
    const load = startTool(['loadgen', '--endpoint', `127.0.0.1:${agentGrpc}`, '--duration', '6s',
      '--rate', '20000', '--concurrency', '2', '--ack-log', ackLog, '--seed', '5'], { timeoutMs: 60_000 });
    // Memory is bounded: once the queue is full it stops growing while senders keep sending.
    // (Absolute figures are an ASan build's: shadow memory and redzones included.)
    await sleep(3000);
    const rssFull = await agent.rssBytes();
    const lg = await load.done;
    const rssLater = await agent.rssBytes();
    assert.equal(lg.code, 0, lg.stderr);
    assert.match(lg.stdout + lg.stderr, /refused_spans=[1-9]/, `loadgen saw no refusals:\n${lg.stdout}\n${lg.stderr}`);
    assert.ok(rssLater < 512 * 1024 * 1024, `agent RSS ${rssLater} bytes with a full queue`);
    assert.ok(rssLater - rssFull < 64 * 1024 * 1024,
      `agent RSS grew from ${rssFull} to ${rssLater} bytes while the queue stayed full`);
    const wanted = expectations(await readAckLog(ackLog));
    assert.ok(wanted.length > 0, 'nothing was acknowledged before the queue filled');

    // The downstream comes back on the port the agent sends to.
    gateway = await startServer({ extraArgs: ['--otlp-grpc-address', `127.0.0.1:${gatewayGrpc}`] });
    gateway.grpcAddress = `127.0.0.1:${gatewayGrpc}`;
    const failures = await verifyEventually(gateway, wanted, 60_000, 500);
    assert.equal(failures.length, 0, summarize(failures, wanted.length) + agent.describe());
    const metrics = (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).body.toString();
    assert.equal(metricSum(metrics, 'otelcol_exporter_send_failed_spans', { exporter: 'otlp' }), 0, metrics);
  } finally {
    await agent.stop();
    if (gateway) {
      await gateway.stop();
      await gateway.cleanup();
    }
    await removeDir(dir);
  }
});

// ---- the seed's config, unchanged ------------------------------------------------------------------

test('the seed\'s collector config validates and runs unchanged with unreachable exporters', async () => {
  const seed = path.join(REPO_ROOT, 'examples/seed-collector.yaml');
  const v = await runTool(['validate', '--collector', '--config', seed]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /valid/);
  // Its fixed ports (4317, 4318, 14268, 8888) are taken by nothing else in the suite (RESOURCE_LOCK).
  const tool = startTool(['collector', '--config', seed], { timeoutMs: 120_000 });
  let stderr = '';
  tool.child.stderr.on('data', (d) => { stderr += d; });
  try {
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('tracehouse collector is ready') && Date.now() < deadline) await sleep(50);
    assert.match(stderr, /tracehouse collector is ready/, stderr);
    const lg = await runTool(['loadgen', '--endpoint', '127.0.0.1:4317', '--spans', '2000', '--concurrency', '1'], { timeoutMs: 30_000 });
    assert.equal(lg.code, 0, lg.stderr);
    // Exports to tempo.monitoring.svc and jaeger-collector.monitoring.svc fail and are retried.
    const until = Date.now() + 15_000;
    while (Date.now() < until && !(/exporter=otlp/.test(stderr) && /exporter=jaeger/.test(stderr))) await sleep(100);
    assert.match(stderr, /exporter=otlp/, stderr);
    assert.match(stderr, /exporter=jaeger/, stderr);
    assert.equal(tool.child.exitCode, null, 'the collector must keep running');
    const metrics = (await httpGet('http://127.0.0.1:8888/metrics')).body.toString();
    assert.ok(metricSum(metrics, 'otelcol_receiver_accepted_spans', { receiver: 'otlp' }) >= 2000, metrics);
    assert.ok(metricSum(metrics, 'tracehouse_exporter_retries_total', { exporter: 'otlp' }) >= 1, metrics);
    assert.ok(metricSum(metrics, 'tracehouse_exporter_retries_total', { exporter: 'jaeger' }) >= 1, metrics);
  } finally {
    tool.child.kill('SIGTERM');
    const r = await tool.done;
    assert.equal(r.code, 0, `collector exit ${JSON.stringify(r)}\n${stderr.slice(-3000)}`);
  }
});

// ---- serve with the Collector's processors in front of the store ----------------------------------

test('serve with batch and filter before the store keeps every acknowledged span', async () => {
  const dir = await makeTempDir();
  const [grpc] = await freePorts(1);
  const config = path.join(dir, 'serve.yaml');
  await (await import('node:fs/promises')).writeFile(config, `
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:${grpc}}}}
processors:
  batch: {timeout: 50ms, send_batch_size: 3000}
  filter:
    spans:
      exclude: {match_type: strict, span_names: [never-sent]}
exporters:
  store:
service:
  pipelines:
    traces: {receivers: [otlp], processors: [batch, filter], exporters: [store]}
`);
  const srv = await startServer({ extraArgs: ['--config', config] });
  try {
    const ackLog = path.join(dir, 'acks.log');
    const lg = await runTool(['loadgen', '--endpoint', `127.0.0.1:${grpc}`, '--spans', '20000',
      '--concurrency', '4', '--ack-log', ackLog, '--seed', '11'], { timeoutMs: 60_000 });
    assert.equal(lg.code, 0, lg.stderr);
    const wanted = expectations(await readAckLog(ackLog));
    assert.ok(wanted.length > 100);
    // Acknowledged means durable: every trace is there at once, nothing still in flight.
    const failures = await verifyAll(srv, wanted);
    assert.equal(failures.length, 0, summarize(failures, wanted.length));
    const metrics = (await httpGet(`${srv.httpUrl}/metrics`)).body.toString();
    // The batch processor was in the path (by size or by timeout, as the load's timing has it).
    const sends = metricSum(metrics, 'otelcol_processor_batch_batch_size_trigger_send') +
      metricSum(metrics, 'otelcol_processor_batch_timeout_trigger_send');
    assert.ok(sends > 0, metrics);
  } finally {
    await srv.stop();
    await srv.cleanup();
    await removeDir(dir);
  }
});

// ---- logs pipelines --------------------------------------------------------------------------------

test('OTLP logs flow through a logs pipeline: agent (batch, otlp) → gateway collector (file)', async () => {
  const [agentGrpc, agentHttp, gatewayGrpc] = await freePorts(3);
  const dir = await makeTempDir();
  const out = path.join(dir, 'logs.jsonl');
  const gateway = await startCollector(`
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:${gatewayGrpc}}}}
exporters:
  file: {path: ${out}, flush_interval: 100ms}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], exporters: [file]}
`);
  const agent = await startCollector(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:${agentGrpc}}
      http: {endpoint: 127.0.0.1:${agentHttp}}
processors:
  batch: {timeout: 100ms}
exporters:
  otlp: {endpoint: 127.0.0.1:${gatewayGrpc}, tls: {insecure: true}}
  nop:
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], exporters: [nop]}
    logs: {receivers: [otlp], processors: [batch], exporters: [otlp]}
`);
  try {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const body = {
      resourceLogs: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeLogs: [{
          logRecords: [
            { timeUnixNano: '1700000000000000000', severityNumber: 17, severityText: 'ERROR',
              body: { stringValue: 'payment declined' }, traceId, spanId: 'eee19b7ec3c1b174' },
            { timeUnixNano: '1700000000000000001', severityNumber: 9, body: { stringValue: 'retrying' } },
          ],
        }],
      }],
    };
    const res = await fetch(`http://127.0.0.1:${agentHttp}/v1/logs`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
    const bad = await fetch(`http://127.0.0.1:${agentHttp}/v1/logs`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"nothex"}]}]}]}',
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /traceId/);

    const fsp = await import('node:fs/promises');
    const deadline = Date.now() + 15_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await fsp.readFile(out, 'utf8').catch(() => '');
      if (text.includes('payment declined')) break;
      await sleep(100);
    }
    const lines = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const records = lines.flatMap((l) => l.resourceLogs).flatMap((r) => r.scopeLogs).flatMap((s) => s.logRecords);
    assert.equal(records.length, 2, gateway.describe(text));
    const declined = records.find((r) => r.body.stringValue === 'payment declined');
    assert.equal(declined.traceId, traceId, 'the trace id that links a log line to its trace survives the pipeline');
    assert.equal(declined.spanId, 'eee19b7ec3c1b174');
  } finally {
    await agent.stop();
    await gateway.stop();
    await removeDir(dir);
  }
});

// ---- TLS between agent and gateway -------------------------------------------------------------------

test('agent → gateway over TLS: the exporter verifies the gateway, the gateway requires the agent\'s certificate', async () => {
  const { execFileSync } = await import('node:child_process');
  const fsp = await import('node:fs/promises');
  const dir = await makeTempDir();
  const sh = (script) => execFileSync('bash', ['-c', `set -e; cd '${dir}'; ${script}`], { stdio: 'pipe' });
  sh(`openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=e2e-ca;
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > server.ext;
      openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost;
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext;
      openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=agent;
      openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2`);
  const [gatewayGrpc, agentGrpc] = await freePorts(2);
  const gatewayConfig = path.join(dir, 'gateway.yaml');
  await fsp.writeFile(gatewayConfig, `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${gatewayGrpc}
        tls: {cert_file: ${dir}/server.crt, key_file: ${dir}/server.key, client_ca_file: ${dir}/ca.crt}
exporters:
  store:
service:
  pipelines:
    traces: {receivers: [otlp], exporters: [store]}
`);
  const gateway = await startServer({ extraArgs: ['--config', gatewayConfig] });
  const agent = await startCollector(`
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:${agentGrpc}}}}
exporters:
  otlp:
    endpoint: 127.0.0.1:${gatewayGrpc}
    tls: {ca_file: ${dir}/ca.crt, cert_file: ${dir}/client.crt, key_file: ${dir}/client.key}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], exporters: [otlp]}
`);
  try {
    const ackLog = path.join(dir, 'acks.log');
    const lg = await runTool(['loadgen', '--endpoint', `127.0.0.1:${agentGrpc}`, '--spans', '5000',
      '--concurrency', '2', '--ack-log', ackLog, '--seed', '21'], { timeoutMs: 60_000 });
    assert.equal(lg.code, 0, lg.stderr);
    const wanted = expectations(await readAckLog(ackLog));
    const failures = await verifyEventually(gateway, wanted, 20_000);
    assert.equal(failures.length, 0, summarize(failures, wanted.length) + agent.describe());
    // A plaintext client is refused by the gateway.
    const plain = await runTool(['loadgen', '--endpoint', `127.0.0.1:${gatewayGrpc}`, '--spans', '100',
      '--concurrency', '1', '--duration', '2s'], { timeoutMs: 30_000 });
    assert.match(plain.stdout, /acked_spans=0 /, plain.stdout);
  } finally {
    await agent.stop();
    await gateway.stop();
    await gateway.cleanup();
    await removeDir(dir);
  }
});
