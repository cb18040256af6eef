// TraceQL search, tag autocomplete, TraceQL metrics and the `tracehouse query` CLI, end to end: a
// small hand-designed set of traces for four services is sent with the real OpenTelemetry JS SDK
// (OTLP HTTP/protobuf) to the real `tracehouse serve`, then read back through Tempo's HTTP API
// exactly as Grafana's Tempo data source calls it (GET /api/search?q=&limit=&spss=&start=&end=
// with Accept: application/json, /api/v2/search/tags, /api/v2/search/tag/<tag>/values,
// /api/metrics/query_range, /api/metrics/query). Every expectation is written out by hand from the
// scenario below.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/search.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import { RecordingExporter } from './lib/otlp.mjs';
import { httpGet, runTool, startServer } from './lib/server.mjs';

const TEST_TIMEOUT_MS = 60_000;

let srv;
let S; // the scenario: see emitScenario

// ---- the scenario --------------------------------------------------------------------------------
//
// T = a whole second two minutes ago; times below are offsets from T in milliseconds.
//
//   ok       checkout  POST /checkout  SERVER    [0, 1000)      http.status_code=200
//            checkout  └ charge        CLIENT    [100, 900)
//            payment     └ POST /pay   SERVER    [200, 800)     http.status_code=201
//   err      checkout  POST /checkout  SERVER    [10000, 10500) http.status_code=500
//            checkout  └ charge        CLIENT    [10050, 10450) status ERROR
//            payment     └ POST /pay   SERVER    [10100, 10400) status ERROR "card declined",
//                                                               http.status_code=500, exception event
//            payment       └ db.query  INTERNAL  [10150, 10200)
//   slow     inventory reindex         INTERNAL  [20000, 22500)
//            inventory └ scan          INTERNAL  [20100, 22200)
//            inventory └ write         INTERNAL  [22200, 22400)
//   cart     cart      GET /cart       SERVER    [30000, 32000) exactly 2 s; http.status_code=200,
//                                                               cart.items=["apple","pear"],
//                                                               cart.quantities=[1,7]
//            cart      └ load-cart     INTERNAL  [30100, 30300) event cache.miss {cache.key="cart:42"}
//   The cart trace id has 8 leading zero hex digits, its root span id 4.
//
// Span counts per service: checkout 4, payment 3, inventory 3, cart 2.
// Avg duration of checkout spans: ok 900 ms, err 450 ms.
//
// A second tenant ("tenant-x") gets one trace of service "ledger" (span "post-entry", attribute
// ledger.secret) that the default tenant must never see.

const SERVICES = ['checkout', 'payment', 'inventory', 'cart'];
const SPANS_PER_SERVICE = { checkout: 4, payment: 3, inventory: 3, cart: 2 };
const OTHER_TENANT = 'tenant-x';

const randHex = (bytes) => crypto.randomBytes(bytes).toString('hex');
/** A random hex id whose first digit is not 0 (so trimming leading zeros leaves it as is). */
function randId(bytes) {
  for (;;) {
    const id = randHex(bytes);
    if (id[0] !== '0') return id;
  }
}
/** Tempo prints search trace ids in hex with leading zeros trimmed (pkg/util/traceid.go). */
const trimId = (hex) => hex.replace(/^0+(?=.)/, '');

/** An IdGenerator handing out preset ids first, random ones afterwards. */
function presetIds({ traceIds = [], spanIds = [] }) {
  const t = [...traceIds];
  const s = [...spanIds];
  return {
    generateTraceId: () => t.shift() ?? randId(16),
    generateSpanId: () => s.shift() ?? randId(8),
  };
}

function makeProvider(service, exporterOpts, idGenerator) {
  const rec = new RecordingExporter(new ProtoExporter({
    url: `${srv.otlpHttpUrl}/v1/traces`,
    timeoutMillis: 10_000,
    ...exporterOpts,
  }));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'deployment.environment.name': 'e2e' }),
    ...(idGenerator ? { idGenerator } : {}),
    spanProcessors: [new BatchSpanProcessor(rec, {
      scheduledDelayMillis: 60_000, maxExportBatchSize: 512, maxQueueSize: 2048,
    })],
  });
  return { rec, provider, tracer: provider.getTracer(`e2e-${service}`, '1.0.0') };
}

async function emitScenario() {
  const nowSec = Math.floor(Date.now() / 1000);
  const T = nowSec - 120;
  const hr = (ms) => [T + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
  const ns = (ms) => BigInt(T) * 1_000_000_000n + BigInt(ms) * 1_000_000n;

  const cartTraceId = '00000000' + randId(12);
  const cartRootSpanId = '0000' + randId(6);
  const P = {
    checkout: makeProvider('checkout', {}),
    payment: makeProvider('payment', {}),
    inventory: makeProvider('inventory', {}),
    cart: makeProvider('cart', {}, presetIds({ traceIds: [cartTraceId], spanIds: [cartRootSpanId] })),
  };

  const spans = []; // {trace, service, name, spanId, startNs, endNs}
  function span(trace_, service, name, { parent, start, end, kind = SpanKind.INTERNAL, attributes, status, build } = {}) {
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const s = P[service].tracer.startSpan(name, { kind, startTime: hr(start), attributes }, ctx);
    if (build) build(s, hr);
    if (status) s.setStatus(status);
    s.end(hr(end));
    spans.push({
      trace: trace_, service, name, spanId: s.spanContext().spanId, traceId: s.spanContext().traceId,
      startNs: ns(start), endNs: ns(end), error: status?.code === SpanStatusCode.ERROR,
    });
    return s;
  }
  // Spans are created parent first but ended in any order: explicit times make it irrelevant.
  const started = (trace_, service, name, opts) => {
    // Start now, end later: returns a handle whose .end() records the span.
    const ctx = opts.parent ? trace.setSpan(ROOT_CONTEXT, opts.parent) : ROOT_CONTEXT;
    const s = P[service].tracer.startSpan(name, {
      kind: opts.kind ?? SpanKind.INTERNAL, startTime: hr(opts.start), attributes: opts.attributes,
    }, ctx);
    return {
      s,
      end() {
        if (opts.status) s.setStatus(opts.status);
        s.end(hr(opts.end));
        spans.push({
          trace: trace_, service, name, spanId: s.spanContext().spanId, traceId: s.spanContext().traceId,
          startNs: ns(opts.start), endNs: ns(opts.end), error: opts.status?.code === SpanStatusCode.ERROR,
        });
      },
    };
  };

  // ok
  {
    const root = started('ok', 'checkout', 'POST /checkout', {
      kind: SpanKind.SERVER, start: 0, end: 1000,
      attributes: { 'http.status_code': 200, 'http.method': 'POST' },
    });
    const charge = started('ok', 'checkout', 'charge', { parent: root.s, kind: SpanKind.CLIENT, start: 100, end: 900 });
    span('ok', 'payment', 'POST /pay', {
      parent: charge.s, kind: SpanKind.SERVER, start: 200, end: 800,
      attributes: { 'http.status_code': 201, 'http.method': 'POST' },
    });
    charge.end();
    root.end();
  }
  // err
  {
    const root = started('err', 'checkout', 'POST /checkout', {
      kind: SpanKind.SERVER, start: 10_000, end: 10_500,
      attributes: { 'http.status_code': 500, 'http.method': 'POST' },
    });
    const charge = started('err', 'checkout', 'charge', {
      parent: root.s, kind: SpanKind.CLIENT, start: 10_050, end: 10_450,
      status: { code: SpanStatusCode.ERROR },
    });
    const pay = started('err', 'payment', 'POST /pay', {
      parent: charge.s, kind: SpanKind.SERVER, start: 10_100, end: 10_400,
      attributes: { 'http.status_code': 500, 'http.method': 'POST' },
      status: { code: SpanStatusCode.ERROR, message: 'card declined' },
    });
    pay.s.recordException({ name: 'CardError', message: 'card declined' }, hr(10_390));
    span('err', 'payment', 'db.query', { parent: pay.s, start: 10_150, end: 10_200, attributes: { 'db.system': 'postgresql' } });
    pay.end();
    charge.end();
    root.end();
  }
  // slow
  {
    const root = started('slow', 'inventory', 'reindex', { start: 20_000, end: 22_500 });
    span('slow', 'inventory', 'scan', { parent: root.s, start: 20_100, end: 22_200 });
    span('slow', 'inventory', 'write', { parent: root.s, start: 22_200, end: 22_400 });
    root.end();
  }
  // cart
  {
    const root = started('cart', 'cart', 'GET /cart', {
      kind: SpanKind.SERVER, start: 30_000, end: 32_000,
      attributes: { 'http.status_code': 200, 'cart.items': ['apple', 'pear'], 'cart.quantities': [1, 7] },
    });
    span('cart', 'cart', 'load-cart', {
      parent: root.s, start: 30_100, end: 30_300,
      build: (s) => s.addEvent('cache.miss', { 'cache.key': 'cart:42', 'cache.tiers': ['l1', 'l2'] }, hr(30_150)),
    });
    root.end();
  }

  for (const p of Object.values(P)) {
    await p.provider.forceFlush();
    p.rec.assertAllSucceeded(`SDK export (${p.provider.constructor.name})`);
    await p.provider.shutdown();
  }

  // The other tenant's trace.
  const other = makeProvider('ledger', { headers: { 'X-Scope-OrgID': OTHER_TENANT } });
  const ledger = other.tracer.startSpan('post-entry', {
    kind: SpanKind.SERVER, startTime: hr(5_000), attributes: { 'ledger.secret': 'x', 'http.status_code': 500 },
  });
  ledger.setStatus({ code: SpanStatusCode.ERROR });
  ledger.end(hr(8_000));
  await other.provider.forceFlush();
  other.rec.assertAllSucceeded('SDK export (tenant-x)');
  await other.provider.shutdown();

  const traces = {};
  for (const sp of spans) {
    const t = (traces[sp.trace] ??= { key: sp.trace, id: sp.traceId, spans: {} });
    assert.equal(t.id, sp.traceId, `scenario: all spans of ${sp.trace} share a trace id`);
    t.spans[sp.name] = sp;
  }
  assert.equal(traces.cart.id, cartTraceId);
  assert.equal(traces.cart.spans['GET /cart'].spanId, cartRootSpanId);
  for (const svc of SERVICES) {
    assert.equal(spans.filter((s) => s.service === svc).length, SPANS_PER_SERVICE[svc], `scenario: spans of ${svc}`);
  }
  return {
    T, nowSec, traces, spans,
    otherTraceId: ledger.spanContext().traceId,
    // Search window: the whole scenario with a minute's margin either side.
    start: T - 60, end: nowSec + 60,
  };
}

// ---- HTTP helpers --------------------------------------------------------------------------------

function qs(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** GET path (relative to the server) → {status, text, json?, where}. */
async function get(path, { tenant, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers, ...(tenant ? { 'X-Scope-OrgID': tenant } : {}) };
  const res = await httpGet(`${srv.httpUrl}${path}`, h);
  const text = res.body.toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json, where: `GET ${path}${tenant ? ` [tenant ${tenant}]` : ''}` };
}

function describeRes(res, msg) {
  return srv.describe(`${res.where}: ${msg}\nHTTP ${res.status}; body: ${res.text.slice(0, 2000)}`);
}

/** GET path, expecting 200 and a JSON body; returns the parsed body. */
async function getJson(path, opts) {
  const res = await get(path, opts);
  assert.equal(res.status, 200, describeRes(res, 'want HTTP 200'));
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/, describeRes(res, 'Content-Type'));
  assert.ok(res.json && typeof res.json === 'object', describeRes(res, 'body is not a JSON object'));
  return res.json;
}

/** A TraceQL search exactly as Grafana sends it. */
function searchPath(q, { limit = 20, spss = 3, start = S.start, end = S.end } = {}) {
  return `/api/search?${qs({ q, limit, spss, start, end })}`;
}

async function search(q, opts = {}) {
  const path = searchPath(q, opts);
  return { body: await getJson(path, opts), where: `GET ${path}` };
}

// ---- expectations --------------------------------------------------------------------------------

const str = (v) => ({ stringValue: v });
const int = (v) => ({ intValue: String(v) });

function traceSummary(key) {
  const t = S.traces[key];
  const all = Object.values(t.spans);
  const root = all.find((s) => s.name === { ok: 'POST /checkout', err: 'POST /checkout', slow: 'reindex', cart: 'GET /cart' }[key]);
  const start = all.reduce((m, s) => (s.startNs < m ? s.startNs : m), all[0].startNs);
  const end = all.reduce((m, s) => (s.endNs > m ? s.endNs : m), all[0].endNs);
  // Per service of the whole trace: spans and error spans (zero counts omitted).
  const serviceStats = {};
  for (const s of all) {
    const st = (serviceStats[s.service] ??= {});
    st.spanCount = (st.spanCount ?? 0) + 1;
    if (s.error) st.errorCount = (st.errorCount ?? 0) + 1;
  }
  return {
    traceID: trimId(t.id),
    rootServiceName: root.service,
    rootTraceName: root.name,
    startTimeUnixNano: start.toString(),
    durationMs: Number((end - start) / 1_000_000n),
    serviceStats,
  };
}

/** The search-result form of one scenario span: hex span id padded to 16, times as strings. */
function resultSpan(traceKey, name) {
  const s = S.traces[traceKey].spans[name];
  assert.ok(s, `scenario has no span "${name}" in trace ${traceKey}`);
  return {
    spanID: s.spanId,
    name: s.name,
    startTimeUnixNano: s.startNs.toString(),
    durationNanos: (s.endNs - s.startNs).toString(),
  };
}

const sortBy = (arr, key) => [...arr].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
const attrMap = (list) => Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value]));

/**
 * Checks a SearchResponse against `want`: { <traceKey>: [spanset, ...] } where a spanset is
 *   { spans: [names], matched?: n (default spans.length), attributes?: {key: AnyValue} (exact),
 *     spanAttributes?: {key: AnyValue} (each returned span must carry these), shown?: n (spans
 *     returned when matched > spss: any `shown` of `spans`) }.
 * The set of traces must be exactly the keys of `want`; trace-level fields are exact; spanSets is
 * compared as a multiset; spanSet must equal spanSets[0].
 */
function assertSearch({ body, where }, want, { spss = 3, ordered, checkServiceStats = true } = {}) {
  const ctx = (m) => srv.describe(`${where}: ${m}\nresponse: ${JSON.stringify(body).slice(0, 4000)}`);
  assert.ok(Array.isArray(body.traces ?? []), ctx('traces is not an array'));
  const traces = body.traces ?? [];
  const gotIds = traces.map((t) => t.traceID);
  const wantIds = Object.keys(want).map((k) => trimId(S.traces[k].id));
  const label = (id) => Object.keys(S.traces).find((k) => trimId(S.traces[k].id) === id) ?? `unknown:${id}`;
  if (ordered) {
    assert.deepEqual(gotIds.map(label), Object.keys(want), ctx('traces (in order)'));
  } else {
    assert.deepEqual([...gotIds].map(label).sort(), Object.keys(want).sort(), ctx('set of traces'));
  }
  assert.equal(new Set(gotIds).size, gotIds.length, ctx('a trace is listed twice'));
  for (const t of traces) {
    const key = label(t.traceID);
    const w = traceSummary(key);
    for (const f of Object.keys(w)) {
      if (f === 'serviceStats' && !checkServiceStats) continue;
      assert.deepEqual(t[f], w[f], ctx(`trace ${key}: ${f}`));
    }
    const wantSets = want[key];
    if (wantSets === undefined || wantSets === null) continue; // legacy search: no spansets required
    assert.ok(Array.isArray(t.spanSets), ctx(`trace ${key}: no spanSets array`));
    assert.deepEqual(t.spanSet, t.spanSets[0], ctx(`trace ${key}: spanSet must equal spanSets[0]`));
    assert.equal(t.spanSets.length, wantSets.length, ctx(`trace ${key}: number of spansets`));
    const unmatched = [...t.spanSets];
    for (const ws of wantSets) {
      const idx = unmatched.findIndex((gs) => spansetMatches(gs, ws, key, spss) === null);
      if (idx < 0) {
        const why = unmatched.map((gs) => spansetMatches(gs, ws, key, spss)).join('; ');
        assert.fail(ctx(`trace ${key}: no spanset matches ${JSON.stringify(ws)} (${why})`));
      }
      unmatched.splice(idx, 1);
    }
  }
}

/** null if the returned spanset `gs` satisfies the wanted one, else the reason. */
function spansetMatches(gs, ws, key, spss) {
  const matched = ws.matched ?? ws.spans.length;
  if (gs.matched !== matched) return `matched ${gs.matched}, want ${matched}`;
  const candidates = ws.spans.map((n) => resultSpan(key, n));
  const shown = Math.min(spss, ws.shown ?? candidates.length);
  const got = gs.spans ?? [];
  if (got.length !== shown) return `${got.length} spans returned, want ${shown}`;
  for (const g of got) {
    const c = candidates.find((x) => x.spanID === g.spanID);
    if (!c) return `unexpected span ${g.spanID} "${g.name}"`;
    for (const f of Object.keys(c)) {
      if (!Object.is(g[f], c[f]) && JSON.stringify(g[f]) !== JSON.stringify(c[f])) {
        return `span "${c.name}": ${f} = ${JSON.stringify(g[f])}, want ${JSON.stringify(c[f])}`;
      }
    }
    if (ws.spanAttributes) {
      const am = attrMap(g.attributes);
      for (const [k, v] of Object.entries(ws.spanAttributes)) {
        if (JSON.stringify(am[k]) !== JSON.stringify(v)) {
          return `span "${c.name}": attribute ${k} = ${JSON.stringify(am[k])}, want ${JSON.stringify(v)} (attributes ${JSON.stringify(g.attributes)})`;
        }
      }
    }
  }
  if (new Set(got.map((g) => g.spanID)).size !== got.length) return 'a span is listed twice';
  const wantAttrs = ws.attributes ?? {};
  const gotAttrs = attrMap(gs.attributes);
  if (JSON.stringify(sortBy(Object.entries(gotAttrs).map(([k, v]) => ({ k, v })), 'k')) !==
      JSON.stringify(sortBy(Object.entries(wantAttrs).map(([k, v]) => ({ k, v })), 'k'))) {
    return `spanset attributes ${JSON.stringify(gs.attributes ?? [])}, want ${JSON.stringify(wantAttrs)}`;
  }
  return null;
}

// ---- setup ---------------------------------------------------------------------------------------

before(async () => {
  srv = await startServer();
  S = await emitScenario();
  // Ingest is acknowledged before the data is necessarily searchable: wait (bounded) until `{ }`
  // sees all four traces.
  const deadline = Date.now() + 15_000;
  let last;
  while (Date.now() < deadline) {
    last = await get(searchPath('{ }'));
    const other = await get(searchPath('{ }'), { tenant: OTHER_TENANT });
    if (last.status === 200 && (last.json?.traces ?? []).length >= 4 &&
        other.status === 200 && (other.json?.traces ?? []).length >= 1) return;
    await sleep(100);
  }
  assert.fail(describeRes(last, 'the scenario never became searchable (want 4 traces for `{ }`)'));
});

after(async () => {
  if (!srv) return;
  await srv.stop();
  await srv.cleanup();
});

const T_OPTS = { timeout: TEST_TIMEOUT_MS };

// ---- TraceQL search --------------------------------------------------------------------------------

describe('GET /api/search?q= (TraceQL, as Grafana calls it)', () => {
  test('{ } returns every trace with exact summaries', T_OPTS, async () => {
    assertSearch(await search('{ }'), {
      ok: [{ spans: ['POST /checkout', 'charge', 'POST /pay'] }],
      err: [{ spans: ['POST /checkout', 'charge', 'POST /pay', 'db.query'], shown: 3 }],
      slow: [{ spans: ['reindex', 'scan', 'write'] }],
      cart: [{ spans: ['GET /cart', 'load-cart'] }],
    });
  });

  test('{ .service.name = "checkout" } | avg(duration) > 500ms', T_OPTS, async () => {
    const r = await search('{ .service.name = "checkout" } | avg(duration) > 500ms');
    assertSearch(r, { ok: null });
    const ss = r.body.traces[0].spanSets;
    assert.equal(ss.length, 1, srv.describe(`${r.where}: one spanset`));
    const set = ss[0];
    assert.equal(set.matched, 2);
    const strip = ({ spanID, name, startTimeUnixNano, durationNanos }) => ({ spanID, name, startTimeUnixNano, durationNanos });
    assert.deepEqual(sortBy(set.spans.map(strip), 'spanID'),
      sortBy([resultSpan('ok', 'POST /checkout'), resultSpan('ok', 'charge')], 'spanID'), `${r.where}: spans`);
    for (const sp of set.spans) {
      assert.deepEqual(attrMap(sp.attributes)['service.name'], str('checkout'), `${r.where}: span ${sp.name} attributes ${JSON.stringify(sp.attributes)}`);
    }
    // The aggregate is attached to the spanset: avg of 1000 ms and 800 ms.
    const attrs = attrMap(set.attributes);
    assert.deepEqual(Object.keys(attrs), ['avg(duration)'], `${r.where}: spanset attributes ${JSON.stringify(set.attributes)}`);
    const v = attrs['avg(duration)'];
    const asNanos = v.intValue !== undefined ? Number(v.intValue)
      : v.doubleValue !== undefined ? v.doubleValue
        : v.stringValue !== undefined ? goDurationNanos(v.stringValue) : NaN;
    assert.equal(asNanos, 900_000_000, `${r.where}: avg(duration) = ${JSON.stringify(v)}, want 900ms`);
  });

  test('{ .service.name = "payment" && status = error }', T_OPTS, async () => {
    assertSearch(await search('{ .service.name = "payment" && status = error }'), {
      err: [{ spans: ['POST /pay'], spanAttributes: { 'service.name': str('payment'), status: str('error') } }],
    });
  });

  test('{ duration > 2s } (a span of exactly 2 s does not match)', T_OPTS, async () => {
    assertSearch(await search('{ duration > 2s }'), { slow: [{ spans: ['reindex', 'scan'] }] });
    assertSearch(await search('{ duration >= 2s }'), {
      slow: [{ spans: ['reindex', 'scan'] }],
      cart: [{ spans: ['GET /cart'] }],
    });
  });

  test('{ span.http.status_code = 500 } (int attribute), spss', T_OPTS, async () => {
    const spanAttributes = { 'http.status_code': int(500) };
    assertSearch(await search('{ span.http.status_code = 500 }'), {
      err: [{ spans: ['POST /checkout', 'POST /pay'], spanAttributes }],
    });
    assertSearch(await search('{ span.http.status_code = 500 }', { spss: 1 }), {
      err: [{ spans: ['POST /checkout', 'POST /pay'], shown: 1, spanAttributes }],
    }, { spss: 1 });
    // A string literal never equals an int attribute.
    assertSearch(await search('{ span.http.status_code = "500" }'), {});
  });

  test('structural: { resource.service.name = "checkout" } >> { status = error }', T_OPTS, async () => {
    assertSearch(await search('{ resource.service.name = "checkout" } >> { status = error }'), {
      err: [{ spans: ['charge', 'POST /pay'] }],
    });
    // Direct children only.
    assertSearch(await search('{ resource.service.name = "checkout" } > { resource.service.name = "payment" }'), {
      ok: [{ spans: ['POST /pay'] }],
      err: [{ spans: ['POST /pay'] }],
    });
  });

  test('by() and count(): one spanset per group, tagged', T_OPTS, async () => {
    const g = (svc) => ({ 'by(resource.service.name)': str(svc), 'count()': int(2) });
    assertSearch(await search('{ } | by(resource.service.name) | count() = 2'), {
      ok: [{ spans: ['POST /checkout', 'charge'], attributes: g('checkout') }],
      err: [
        { spans: ['POST /checkout', 'charge'], attributes: g('checkout') },
        { spans: ['POST /pay', 'db.query'], attributes: g('payment') },
      ],
      cart: [{ spans: ['GET /cart', 'load-cart'], attributes: g('cart') }],
    });
    assertSearch(await search('{ } | count() > 3'), {
      err: [{ spans: ['POST /checkout', 'charge', 'POST /pay', 'db.query'], shown: 3, attributes: { 'count()': int(4) } }],
    });
  });

  test('select() attaches the listed attributes', T_OPTS, async () => {
    const r = await search('{ name = "POST /pay" } | select(span.http.status_code, resource.service.name)');
    assertSearch(r, {
      ok: [{ spans: ['POST /pay'], spanAttributes: { 'http.status_code': int(201), 'service.name': str('payment') } }],
      err: [{ spans: ['POST /pay'], spanAttributes: { 'http.status_code': int(500), 'service.name': str('payment') } }],
    });
  });

  test('with(most_recent=true) returns the newest traces first', T_OPTS, async () => {
    assertSearch(await search('{ } with(most_recent=true)', { limit: 2 }), {
      cart: [{ spans: ['GET /cart', 'load-cart'] }],
      slow: [{ spans: ['reindex', 'scan', 'write'] }],
    }, { ordered: true });
    assertSearch(await search('{ resource.service.name = "checkout" } with(most_recent=true)', { limit: 1 }), {
      err: [{ spans: ['POST /checkout', 'charge'] }],
    });
  });

  test('limit caps the number of traces', T_OPTS, async () => {
    for (const limit of [1, 2, 3]) {
      const r = await search('{ }', { limit });
      assert.equal((r.body.traces ?? []).length, limit, srv.describe(`${r.where}: ${JSON.stringify(r.body).slice(0, 500)}`));
    }
  });

  test('array attributes and events', T_OPTS, async () => {
    assertSearch(await search('{ span.cart.items = "pear" }'), { cart: [{ spans: ['GET /cart'] }] });
    assertSearch(await search('{ span.cart.quantities > 5 }'), { cart: [{ spans: ['GET /cart'] }] });
    assertSearch(await search('{ span.cart.items = "banana" }'), {});
    assertSearch(await search('{ event.cache.key = "cart:42" }'), { cart: [{ spans: ['load-cart'] }] });
    assertSearch(await search('{ event:name = "exception" }'), { err: [{ spans: ['POST /pay'] }] });
    assertSearch(await search('{ event.exception.message = "card declined" }'), { err: [{ spans: ['POST /pay'] }] });
  });

  test('start/end bound the search', T_OPTS, async () => {
    // A window entirely before the scenario.
    assertSearch(await search('{ }', { start: S.T - 3600, end: S.T - 1800 }), {});
  });
});

/** A Go duration string ("900ms", "1.5s", "1m2s") → nanoseconds. */
function goDurationNanos(s) {
  const units = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const re = /([0-9.]+)(ns|us|µs|ms|s|m|h)/gy;
  let m;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  return consumed === s.length && s.length ? Math.round(total) : NaN;
}

// ---- legacy search ---------------------------------------------------------------------------------

describe('GET /api/search?tags= (legacy)', () => {
  test('tags=service.name=checkout&limit=20 (the seed form, no start/end)', T_OPTS, async () => {
    const path = '/api/search?tags=service.name%3Dcheckout&limit=20';
    assertSearch({ body: await getJson(path), where: `GET ${path}` }, { ok: null, err: null });
  });

  test('minDuration / maxDuration (trace duration)', T_OPTS, async () => {
    const cases = [
      [`tags=${encodeURIComponent('service.name=checkout')}&minDuration=600ms`, { ok: null }],
      [`minDuration=2200ms&start=${S.start}&end=${S.end}`, { slow: null }],
      [`tags=${encodeURIComponent('service.name=checkout')}&maxDuration=600ms`, { err: null }],
      [`tags=${encodeURIComponent('service.name=inventory')}&minDuration=3s`, {}],
    ];
    for (const [query, want] of cases) {
      const path = `/api/search?${query}&limit=20`;
      assertSearch({ body: await getJson(path), where: `GET ${path}` }, want);
    }
  });
});

// ---- errors ----------------------------------------------------------------------------------------

describe('search errors', () => {
  test('a query that fails to parse → 400 naming the position', T_OPTS, async () => {
    // `}` at column 19 where a value is expected.
    const res = await get(searchPath('{ .service.name = }'));
    assert.equal(res.status, 400, describeRes(res, 'want 400'));
    // Tempo: "parse error at line 1, col 19: ..."; also accepted: "at 1:19", "column 19".
    assert.match(res.text, /\bline 1, col(umn)? 19\b|\b1:19\b|\bcol(umn)?\s*:?\s*19\b/i,
      describeRes(res, 'the error names the position of the unexpected `}` (line 1, col 19)'));
    const res2 = await get(searchPath('{ span.http.status_code = 500 } | coun() > 1'));
    assert.equal(res2.status, 400, describeRes(res2, 'want 400'));
  });

  test('limit=0 → 400', T_OPTS, async () => {
    const res = await get(searchPath('{ }', { limit: 0 }));
    assert.equal(res.status, 400, describeRes(res, 'want 400'));
  });
});

// ---- autocomplete ----------------------------------------------------------------------------------

describe('tag autocomplete', () => {
  const window = () => `start=${S.start}&end=${S.end}`;

  test('/api/v2/search/tags: scopes resource / span / intrinsic', T_OPTS, async () => {
    const body = await getJson(`/api/v2/search/tags?limit=100&${window()}`);
    assert.ok(Array.isArray(body.scopes), `scopes: ${JSON.stringify(body)}`);
    const scopes = Object.fromEntries(body.scopes.map((s) => [s.name, s.tags ?? []]));
    const ctx = `scopes ${JSON.stringify(body.scopes)}`;
    for (const name of ['service.name', 'deployment.environment.name']) assert.ok(scopes.resource?.includes(name), `resource has ${name}; ${ctx}`);
    for (const name of ['http.status_code', 'http.method', 'cart.items', 'cart.quantities', 'db.system']) {
      assert.ok(scopes.span?.includes(name), `span has ${name}; ${ctx}`);
      assert.ok(!scopes.resource?.includes(name), `resource lacks ${name}; ${ctx}`);
    }
    assert.ok(!scopes.span?.includes('service.name'), `span lacks service.name; ${ctx}`);
    for (const name of ['duration', 'kind', 'name', 'status', 'statusMessage', 'span:duration', 'span:name',
      'span:status', 'trace:duration', 'trace:rootName', 'trace:rootService', 'event:name']) {
      assert.ok(scopes.intrinsic?.includes(name), `intrinsic has ${name}; ${ctx}`);
    }
    if (scopes.event) assert.ok(scopes.event.includes('cache.key'), `event has cache.key; ${ctx}`);
    for (const tags of Object.values(scopes)) {
      assert.ok(!tags.includes('ledger.secret'), `another tenant's attribute leaks; ${ctx}`);
      assert.deepEqual(tags, [...new Set(tags)], `no duplicates; ${ctx}`);
    }
    // scope= narrows to one scope.
    const only = await getJson(`/api/v2/search/tags?scope=resource&${window()}`);
    assert.deepEqual(only.scopes.map((s) => s.name), ['resource'], JSON.stringify(only));
  });

  test('/api/v2/search/tag/<tag>/values', T_OPTS, async () => {
    const values = async (tag, q) => {
      const body = await getJson(`/api/v2/search/tag/${tag}/values?${qs({ q, limit: 100 })}&${window()}`);
      return sortBy((body.tagValues ?? []).map((v) => ({ type: v.type, value: v.value })), 'value');
    };
    const s = (v) => ({ type: 'string', value: v });
    const i = (v) => ({ type: 'int', value: String(v) });
    assert.deepEqual(await values('resource.service.name'), sortBy(SERVICES.map(s), 'value'));
    assert.deepEqual(await values('span.http.status_code'), [i(200), i(201), i(500)]);
    assert.deepEqual(await values('span.http.status_code', '{resource.service.name="payment"}'), [i(201), i(500)]);
    assert.deepEqual(await values('resource.service.name', '{span.http.status_code=500}'), [s('checkout'), s('payment')]);
    assert.deepEqual(await values('span.cart.items'), [s('apple'), s('pear')]);
  });

  test('v1 /api/search/tags and /api/search/tag/service.name/values', T_OPTS, async () => {
    const tags = await getJson(`/api/search/tags?${window()}`);
    assert.ok(Array.isArray(tags.tagNames), JSON.stringify(tags));
    for (const name of ['service.name', 'http.status_code', 'http.method', 'cart.items']) {
      assert.ok(tags.tagNames.includes(name), `tagNames has ${name}: ${JSON.stringify(tags.tagNames)}`);
    }
    assert.ok(!tags.tagNames.includes('ledger.secret'), `another tenant's attribute leaks: ${JSON.stringify(tags.tagNames)}`);
    const vals = await getJson(`/api/search/tag/service.name/values?${window()}`);
    assert.deepEqual([...vals.tagValues].sort(), [...SERVICES].sort(), JSON.stringify(vals));
    const other = await getJson(`/api/search/tag/service.name/values?${window()}`, { tenant: OTHER_TENANT });
    assert.deepEqual(other.tagValues, ['ledger'], JSON.stringify(other));
  });
});

// ---- TraceQL metrics -------------------------------------------------------------------------------

function seriesLabels(series) {
  return Object.fromEntries((series.labels ?? []).map((l) => [l.key, l.value]));
}

describe('TraceQL metrics', () => {
  test('query_range: { } | count_over_time() by (resource.service.name)', T_OPTS, async () => {
    const step = 15;
    const q = '{ } | count_over_time() by (resource.service.name)';
    const path = `/api/metrics/query_range?${qs({ q, start: S.start, end: S.end, step: `${step}s` })}`;
    const body = await getJson(path);
    const ctx = `${path}: ${JSON.stringify(body).slice(0, 3000)}`;
    assert.ok(Array.isArray(body.series), ctx);
    const sums = {};
    for (const series of body.series) {
      const labels = seriesLabels(series);
      assert.deepEqual(Object.keys(labels), ['resource.service.name'], `labels; ${ctx}`);
      const svc = labels['resource.service.name'].stringValue;
      assert.ok(svc, `string label; ${ctx}`);
      assert.ok(!(svc in sums), `one series per service; ${ctx}`);
      let sum = 0;
      let prev = -Infinity;
      for (const smp of series.samples ?? []) {
        const ts = Number(smp.timestampMs);
        assert.equal(typeof smp.timestampMs, 'string', `timestampMs is an int64 string; ${ctx}`);
        assert.ok(ts > prev, `samples oldest first; ${ctx}`);
        prev = ts;
        assert.ok(ts >= (S.start - step) * 1000 && ts <= (S.end + step) * 1000, `sample ${ts} inside the range; ${ctx}`);
        assert.equal(ts % (step * 1000), 0, `sample ${ts} aligned to the step; ${ctx}`);
        sum += smp.value ?? 0;
      }
      sums[svc] = sum;
    }
    assert.deepEqual(sums, SPANS_PER_SERVICE, ctx);
    // The other tenant sees only its own span.
    const other = await getJson(path, { tenant: OTHER_TENANT });
    assert.deepEqual(other.series.map((s) => [seriesLabels(s)['resource.service.name'], (s.samples ?? []).reduce((a, x) => a + (x.value ?? 0), 0)]),
      [[str('ledger'), 1]], JSON.stringify(other));
  });

  test('instant: count_over_time() and quantile_over_time(duration, .99)', T_OPTS, async () => {
    const instant = async (q) => {
      const path = `/api/metrics/query?${qs({ q, start: S.start, end: S.end })}`;
      const body = await getJson(path);
      assert.ok(Array.isArray(body.series), `${path}: ${JSON.stringify(body)}`);
      return { body, ctx: `${path}: ${JSON.stringify(body).slice(0, 3000)}` };
    };
    {
      const { body, ctx } = await instant('{ } | count_over_time() by (resource.service.name)');
      const got = Object.fromEntries(body.series.map((s) => [seriesLabels(s)['resource.service.name']?.stringValue, s.value]));
      assert.deepEqual(got, SPANS_PER_SERVICE, ctx);
    }
    {
      const { body, ctx } = await instant('{ } | quantile_over_time(duration, .99) by (resource.service.name)');
      // p99 lies in the power-of-two bucket (in ns) of each service's longest span; seconds.
      const maxMs = { checkout: 1000, payment: 600, inventory: 2500, cart: 2000 };
      const seen = new Set();
      for (const s of body.series) {
        const labels = seriesLabels(s);
        assert.deepEqual(Object.keys(labels).sort(), ['p', 'resource.service.name'], `labels; ${ctx}`);
        assert.deepEqual(labels.p, { doubleValue: 0.99 }, `label p; ${ctx}`);
        const svc = labels['resource.service.name'].stringValue;
        seen.add(svc);
        const e = Math.log2(maxMs[svc] * 1e6);
        const lo = 2 ** Math.floor(e) / 1e9;
        const hi = 2 ** Math.ceil(e) / 1e9;
        assert.ok(s.value >= lo && s.value <= hi, `${svc}: p99 ${s.value}s not in [${lo}, ${hi}]; ${ctx}`);
      }
      assert.deepEqual([...seen].sort(), [...SERVICES].sort(), ctx);
    }
  });
});

// ---- tenants ---------------------------------------------------------------------------------------

describe('tenants (X-Scope-OrgID)', () => {
  test('search is isolated per tenant', T_OPTS, async () => {
    const other = await getJson(searchPath('{ }'), { tenant: OTHER_TENANT });
    assert.deepEqual((other.traces ?? []).map((t) => t.traceID), [trimId(S.otherTraceId)], JSON.stringify(other));
    assert.equal(other.traces[0].rootServiceName, 'ledger');
    assert.equal(other.traces[0].rootTraceName, 'post-entry');
    assert.equal(other.traces[0].durationMs, 3000);
    const none = await getJson(searchPath('{ resource.service.name = "checkout" }'), { tenant: OTHER_TENANT });
    assert.deepEqual(none.traces ?? [], [], JSON.stringify(none));
    assertSearch(await search('{ resource.service.name = "ledger" }'), {});
    assertSearch({ body: await getJson(searchPath('{ status = error }'), { tenant: 'single-tenant' }), where: 'single-tenant' }, {
      err: [{ spans: ['charge', 'POST /pay'] }],
    });
    const empty = await getJson(searchPath('{ }'), { tenant: 'nobody-here' });
    assert.deepEqual(empty.traces ?? [], [], JSON.stringify(empty));
  });
});

// ---- the CLI ---------------------------------------------------------------------------------------

describe('tracehouse query (CLI)', () => {
  const endpoint = () => `127.0.0.1:${srv.httpPort}`;
  const run = async (args) => {
    const r = await runTool(['query', '--endpoint', endpoint(), ...args], { timeoutMs: 30_000 });
    const where = `tracehouse query ${args.join(' ')}: exit ${r.code} signal ${r.signal}${r.timedOut ? ' (timed out)' : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
    assert.equal(r.code, 0, srv.describe(where));
    return { ...r, where };
  };
  const mentions = (out, hex) => out.includes(trimId(hex)) || out.includes(hex);

  test('table output', T_OPTS, async () => {
    const r = await run(['{ span.http.status_code = 500 }']);
    assert.ok(mentions(r.stdout, S.traces.err.id), r.where);
    for (const k of ['ok', 'slow', 'cart']) assert.ok(!mentions(r.stdout, S.traces[k].id), `${k} not listed; ${r.where}`);
    assert.match(r.stdout, /checkout/, r.where);
    assert.match(r.stdout, /POST \/checkout/, r.where);
    const r2 = await run(['{ resource.service.name = "checkout" }']);
    for (const k of ['ok', 'err']) assert.ok(mentions(r2.stdout, S.traces[k].id), `${k} listed; ${r2.where}`);
    assert.ok(mentions(r2.stdout, S.traces.ok.id) && !mentions(r2.stdout, S.traces.slow.id), r2.where);
  });

  test('--output json', T_OPTS, async () => {
    const r = await run(['--output', 'json', '{ duration > 2s }']);
    let body;
    try { body = JSON.parse(r.stdout); } catch (e) { assert.fail(`stdout is not JSON (${e.message}); ${r.where}`); }
    assertSearch({ body, where: r.where }, { slow: [{ spans: ['reindex', 'scan'] }] });
    const r2 = await run(['--output', 'json', '--limit', '1', '{ }']);
    assert.equal(JSON.parse(r2.stdout).traces.length, 1, r2.where);
  });

  test('--trace <id>', T_OPTS, async () => {
    for (const id of [S.traces.err.id, trimId(S.traces.cart.id)]) {
      const r = await run(['--trace', id]);
      const names = id === S.traces.err.id ? ['POST /checkout', 'charge', 'POST /pay', 'db.query'] : ['GET /cart', 'load-cart'];
      for (const n of names) assert.ok(r.stdout.includes(n), `span ${n} shown; ${r.where}`);
      for (const other of ['reindex', 'scan']) assert.ok(!r.stdout.includes(other), `span ${other} not shown; ${r.where}`);
    }
    const j = await run(['--trace', S.traces.slow.id, '--output', 'json']);
    const body = JSON.parse(j.stdout);
    const names = [];
    for (const rs of body.trace?.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) names.push(sp.name);
    assert.deepEqual(names.sort(), ['reindex', 'scan', 'write'], j.where);
    // Unknown trace: non-zero exit, a message on stderr.
    const missing = await runTool(['query', '--endpoint', endpoint(), '--trace', randId(16)], { timeoutMs: 30_000 });
    assert.notEqual(missing.code, 0, `unknown trace: ${missing.stdout} ${missing.stderr}`);
    assert.match(missing.stderr, /not found/, missing.stderr);
  });
});
