// OTLP receivers and the query API driven with raw requests: bad bodies, wrong content types and
// methods, oversized messages, gzip, partial success, OTLP/JSON spelling variants, over HTTP
// (fetch / node:http) and gRPC (@grpc/grpc-js with pass-through serializers).
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/http_errors.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import grpc from '@grpc/grpc-js';

import {
  assertSameRecords, findDefaultValuedFields, flattenResourceSpans, hexToB64,
} from './lib/otlp.mjs';
import {
  ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus, decodeCanonical, encode,
} from './lib/proto.mjs';
import { httpGet, startServer } from './lib/server.mjs';

const MiB = 1024 * 1024;
const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

let srv;
let grpcClient;

before(async () => {
  srv = await startServer();
  grpcClient = new grpc.Client(srv.grpcAddress, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
});

after(async () => {
  grpcClient?.close();
  if (!srv) return;
  await srv.stop();
  await srv.cleanup();
});

// ---- building requests -------------------------------------------------------------------------

const randHex = (bytes) => crypto.randomBytes(bytes).toString('hex');

function nowNanos() {
  return BigInt(Date.now()) * 1_000_000n + 123_456n;
}

/** A span for ExportTraceServiceRequest.fromObject (ids as Buffers, times as strings). */
function span(traceIdHex, name, extra = {}) {
  const start = nowNanos();
  return {
    traceId: Buffer.from(traceIdHex, 'hex'),
    spanId: crypto.randomBytes(8),
    name,
    kind: 2,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_500_000n).toString(),
    attributes: [{ key: 'test.case', value: { stringValue: name } }],
    ...extra,
  };
}

function request(spans, service = 'raw-client') {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'http_errors.test', version: '1.0.0' }, spans }],
    }],
  };
}

/** The same span as OTLP/JSON (hex ids, as the spec wants). */
function jsonSpan(traceIdHex, name, extra = {}) {
  const start = nowNanos();
  return {
    traceId: traceIdHex,
    spanId: randHex(8),
    name,
    kind: 2,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_500_000n).toString(),
    attributes: [{ key: 'test.case', value: { stringValue: name } }],
    ...extra,
  };
}

// ---- HTTP helpers ------------------------------------------------------------------------------

async function post(path, body, headers = {}, method = 'POST') {
  const res = await fetch(`${srv.otlpHttpUrl}${path}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const postProto = (obj, headers = {}) =>
  post('/v1/traces', encode(ExportTraceServiceRequest, obj), { 'Content-Type': 'application/x-protobuf', ...headers });
const postJson = (obj, headers = {}) =>
  post('/v1/traces', typeof obj === 'string' ? obj : JSON.stringify(obj), { 'Content-Type': 'application/json', ...headers });

function describeRes(res) {
  return `HTTP ${res.status} ${res.headers.get?.('content-type') ?? res.headers['content-type'] ?? ''}: ` +
    `${res.body.toString('utf8').slice(0, 300)}`;
}

function assertStatus(res, want, what) {
  assert.equal(res.status, want, srv.describe(`${what}: got ${describeRes(res)}; want ${want}`));
}

/**
 * The error message of an OTLP/HTTP error response: a google.rpc.Status in the request's
 * encoding (protobuf for x-protobuf requests, JSON for JSON requests), as the OTLP spec says.
 */
function errorMessage(res, requestEncoding, what) {
  const ctype = res.headers.get('content-type') ?? '';
  if (requestEncoding === 'protobuf') {
    assert.match(ctype, /^application\/x-protobuf\b/, `${what}: error body should be a protobuf google.rpc.Status; got ${describeRes(res)}`);
    let st;
    try {
      st = RpcStatus.decode(res.body);
    } catch (e) {
      assert.fail(`${what}: error body does not decode as google.rpc.Status: ${e.message}; ${describeRes(res)}`);
    }
    return st.message;
  }
  assert.match(ctype, /^application\/json\b/, `${what}: error body should be a JSON google.rpc.Status; got ${describeRes(res)}`);
  let st;
  try {
    st = JSON.parse(res.body.toString('utf8'));
  } catch (e) {
    assert.fail(`${what}: error body is not JSON: ${describeRes(res)}`);
  }
  return st.message;
}

/** Decodes a successful Export response in the request's encoding. */
function exportResponse(res, encoding, what) {
  assertStatus(res, 200, what);
  const ctype = res.headers.get('content-type') ?? '';
  if (encoding === 'protobuf') {
    assert.match(ctype, /^application\/x-protobuf\b/, `${what}: response Content-Type "${ctype}"`);
    return decodeCanonical(ExportTraceServiceResponse, res.body);
  }
  assert.match(ctype, /^application\/json\b/, `${what}: response Content-Type "${ctype}"`);
  return JSON.parse(res.body.toString('utf8'));
}

/** v2 JSON of a trace; asserts 200. */
async function getTrace(hexId, tenant) {
  const res = await httpGet(`${srv.httpUrl}/api/v2/traces/${hexId}`, tenant ? { 'X-Scope-OrgID': tenant } : {});
  assert.equal(res.status, 200, srv.describe(`GET /api/v2/traces/${hexId}: ${describeRes(res)}`));
  return JSON.parse(res.body.toString('utf8'));
}

function spanNames(body) {
  const names = [];
  for (const rs of body.trace.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) names.push(s.name);
  }
  return names.sort();
}

/** POSTs `size` bytes (from `body`, a Buffer of that size) with node:http, stopping the upload as
 *  soon as the server answers (it may answer early and close). chunked: no Content-Length. */
function postBig(path, body, headers, { chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${srv.otlpHttpUrl}${path}`, {
      method: 'POST',
      headers: chunked ? headers : { ...headers, 'Content-Length': body.length },
    });
    let response = null;
    const timer = setTimeout(() => { req.destroy(new Error('timeout after 60 s')); }, 60_000);
    req.on('response', (res) => {
      response = res;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, headers: new Headers(res.headers), body: Buffer.concat(chunks) });
        req.destroy();
      };
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', (err) => {
      if (!response) { clearTimeout(timer); reject(err); }
    });
    let off = 0;
    const pump = () => {
      while (off < body.length && !response && !req.destroyed) {
        const piece = body.subarray(off, Math.min(off + MiB, body.length));
        off += piece.length;
        if (!req.write(piece)) { req.once('drain', pump); return; }
      }
      if (off >= body.length && !response && !req.destroyed) req.end();
    };
    pump();
  });
}

/** A well-formed ExportTraceServiceRequest of at least `bytes` bytes (one huge string attribute). */
function hugeRequest(bytes) {
  return encode(ExportTraceServiceRequest, request([
    span(randHex(16), 'huge', { attributes: [{ key: 'blob', value: { stringValue: 'x'.repeat(bytes) } }] }),
  ]));
}

// ---- gRPC helpers ------------------------------------------------------------------------------

/** One Export call with the raw bytes `buf`. compress: send the message gzip-compressed. */
function grpcExport(buf, { metadata = new grpc.Metadata(), compress = false } = {}) {
  return new Promise((resolve) => {
    const opts = { deadline: Date.now() + 30_000 };
    let client = grpcClient;
    if (compress) {
      // grpc-js compresses per channel; a fresh client compresses its first call in any case.
      client = new grpc.Client(srv.grpcAddress, grpc.credentials.createInsecure(), {
        'grpc.default_compression_algorithm': 2, // gzip
        'grpc.max_send_message_length': -1,
      });
    }
    client.makeUnaryRequest(EXPORT_METHOD, (b) => b, (b) => b, buf, metadata, opts, (err, value) => {
      if (compress) client.close();
      resolve({ err, value });
    });
  });
}

function grpcStatusName(code) {
  return Object.entries(grpc.status).find(([, v]) => v === code)?.[0] ?? String(code);
}

// ---- tests: OTLP/HTTP --------------------------------------------------------------------------

describe('OTLP/HTTP POST /v1/traces', () => {
  test('protobuf request → protobuf ExportTraceServiceResponse; spans stored', async () => {
    const id = randHex(16);
    const res = await postProto(request([span(id, 'proto-ok')]));
    const body = exportResponse(res, 'protobuf', 'protobuf export');
    assert.equal(body.partialSuccess, undefined, `no partial success expected: ${JSON.stringify(body)}`);
    assert.deepEqual(spanNames(await getTrace(id)), ['proto-ok']);
  });

  test('JSON request → JSON response {}; charset parameter allowed', async () => {
    for (const ctype of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8']) {
      const id = randHex(16);
      const res = await postJson(request([jsonSpan(id, 'json-ok')]), { 'Content-Type': ctype });
      const body = exportResponse(res, 'json', `JSON export (${ctype})`);
      assert.deepEqual(body, {}, `JSON export (${ctype}): response ${JSON.stringify(body)}`);
      assert.deepEqual(spanNames(await getTrace(id)), ['json-ok']);
    }
  });

  test('protobuf with charset-style parameter allowed', async () => {
    const id = randHex(16);
    const res = await postProto(request([span(id, 'proto-param')]), { 'Content-Type': 'application/x-protobuf; charset=binary' });
    exportResponse(res, 'protobuf', 'protobuf export with parameter');
    assert.deepEqual(spanNames(await getTrace(id)), ['proto-param']);
  });

  test('Content-Encoding: gzip accepted (protobuf and JSON)', async () => {
    const id1 = randHex(16);
    const res1 = await post('/v1/traces', zlib.gzipSync(encode(ExportTraceServiceRequest, request([span(id1, 'gz-proto')]))),
      { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    exportResponse(res1, 'protobuf', 'gzip protobuf');
    assert.deepEqual(spanNames(await getTrace(id1)), ['gz-proto']);

    const id2 = randHex(16);
    const res2 = await post('/v1/traces', zlib.gzipSync(JSON.stringify(request([jsonSpan(id2, 'gz-json')]))),
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    assert.deepEqual(exportResponse(res2, 'json', 'gzip JSON'), {});
    assert.deepEqual(spanNames(await getTrace(id2)), ['gz-json']);
  });

  test('garbage protobuf → 400 naming the problem', async () => {
    const bodies = {
      'length past the end': Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      'text': Buffer.from('this is not a protobuf message'),
      'truncated request': encode(ExportTraceServiceRequest, request([span(randHex(16), 'cut')])).subarray(0, 20),
    };
    for (const [what, body] of Object.entries(bodies)) {
      const res = await post('/v1/traces', body, { 'Content-Type': 'application/x-protobuf' });
      assertStatus(res, 400, `garbage protobuf (${what})`);
      const msg = errorMessage(res, 'protobuf', `garbage protobuf (${what})`);
      assert.match(msg ?? '', /protobuf|proto|decod|pars|invalid|truncat|malformed|wire|field|length/i,
        `garbage protobuf (${what}): message "${msg}" does not say what is wrong`);
    }
  });

  test('invalid JSON → 400 naming the problem', async () => {
    const bodies = {
      'unterminated': '{"resourceSpans": [',
      'not JSON': 'hello',
      'wrong type': '{"resourceSpans": 5}',
    };
    for (const [what, body] of Object.entries(bodies)) {
      const res = await post('/v1/traces', body, { 'Content-Type': 'application/json' });
      assertStatus(res, 400, `invalid JSON (${what})`);
      const msg = errorMessage(res, 'json', `invalid JSON (${what})`);
      assert.match(msg ?? '', /json|pars|syntax|unexpected|invalid|expect|end|type|array/i,
        `invalid JSON (${what}): message "${msg}" does not say what is wrong`);
    }
  });

  test('garbage gzip → 400', async () => {
    const res = await post('/v1/traces', Buffer.from('definitely not gzip data'),
      { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    assertStatus(res, 400, 'garbage gzip');
    const msg = errorMessage(res, 'protobuf', 'garbage gzip');
    assert.ok(msg && msg.length > 0, 'garbage gzip: empty error message');
  });

  test('other content types → 415', async () => {
    for (const ctype of ['text/plain', 'application/xml', 'application/grpc']) {
      const res = await post('/v1/traces', 'hello', { 'Content-Type': ctype });
      assertStatus(res, 415, `Content-Type ${ctype}`);
    }
  });

  test('other methods → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await post('/v1/traces', method === 'GET' ? undefined : 'x', { 'Content-Type': 'application/json' }, method);
      assertStatus(res, 405, `${method} /v1/traces`);
      assert.match(res.headers.get('allow') ?? '', /POST/, `${method} /v1/traces: 405 must carry Allow: POST (RFC 9110 §15.5.6)`);
    }
  });

  test('other paths → 404', async () => {
    const res1 = await post('/v1/nope', encode(ExportTraceServiceRequest, request([])), { 'Content-Type': 'application/x-protobuf' });
    assertStatus(res1, 404, 'POST /v1/nope');
    const res2 = await post('/', undefined, {}, 'GET');
    assertStatus(res2, 404, 'GET / on the OTLP/HTTP port');
    const res3 = await httpGet(`${srv.httpUrl}/api/nope`);
    assertStatus(res3, 404, 'GET /api/nope on the API port');
  });

  test('~30 MiB body → 413 (with Content-Length)', async () => {
    const body = hugeRequest(30 * MiB);
    const res = await postBig('/v1/traces', body, { 'Content-Type': 'application/x-protobuf' });
    assertStatus(res, 413, `POST of ${body.length} bytes`);
  });

  test('~30 MiB chunked body (no Content-Length) → 413', async () => {
    const body = hugeRequest(30 * MiB);
    const res = await postBig('/v1/traces', body, { 'Content-Type': 'application/x-protobuf' }, { chunked: true });
    assertStatus(res, 413, `chunked POST of ${body.length} bytes`);
  });

  test('gzip body inflating past the limit (~30 MiB) → 413 or 400, never stored', async () => {
    const id = randHex(16);
    const raw = encode(ExportTraceServiceRequest, request([
      span(id, 'bomb', { attributes: [{ key: 'blob', value: { stringValue: 'z'.repeat(30 * MiB) } }] }),
    ]));
    const body = zlib.gzipSync(raw);
    const res = await post('/v1/traces', body, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    assert.ok(res.status === 413 || res.status === 400, srv.describe(`gzip bomb (${body.length} → ${raw.length} bytes): ${describeRes(res)}`));
    const get = await httpGet(`${srv.httpUrl}/api/traces/${id}`);
    assertStatus(get, 404, 'the refused trace');
  });

  test('protobuf: a span with a 4-byte trace id is rejected alone (partial success)', async () => {
    const id = randHex(16);
    const spans = [
      span(id, 'good-1'),
      { ...span(id, 'bad-trace-id'), traceId: crypto.randomBytes(4) },
      span(id, 'good-2'),
    ];
    const body = exportResponse(await postProto(request(spans)), 'protobuf', 'partial success (protobuf)');
    assert.ok(body.partialSuccess, `partial success (protobuf): no partialSuccess in ${JSON.stringify(body)}`);
    assert.equal(String(body.partialSuccess.rejectedSpans), '1', `rejectedSpans: ${JSON.stringify(body)}`);
    assert.ok((body.partialSuccess.errorMessage ?? '').length > 0, `errorMessage empty: ${JSON.stringify(body)}`);
    assert.deepEqual(spanNames(await getTrace(id)), ['good-1', 'good-2']);
  });

  test('protobuf: a span with a 3-byte span id is rejected alone (partial success)', async () => {
    const id = randHex(16);
    const spans = [span(id, 'good-1'), { ...span(id, 'bad-span-id'), spanId: crypto.randomBytes(3) }];
    const body = exportResponse(await postProto(request(spans)), 'protobuf', 'partial success (span id)');
    assert.equal(String(body.partialSuccess?.rejectedSpans), '1', `rejectedSpans: ${JSON.stringify(body)}`);
    assert.deepEqual(spanNames(await getTrace(id)), ['good-1']);
  });

  test('JSON: a span with a non-hex traceId is rejected alone (partial success)', async () => {
    const id = randHex(16);
    const spans = [
      jsonSpan(id, 'good-1'),
      { ...jsonSpan(id, 'bad-trace-id'), traceId: 'zz'.repeat(16) },
      jsonSpan(id, 'good-2'),
    ];
    const body = exportResponse(await postJson(request(spans)), 'json', 'partial success (JSON)');
    assert.ok(body.partialSuccess, `partial success (JSON): no partialSuccess in ${JSON.stringify(body)}`);
    assert.equal(Number(body.partialSuccess.rejectedSpans), 1, `rejectedSpans: ${JSON.stringify(body)}`);
    assert.ok((body.partialSuccess.errorMessage ?? '').length > 0, `errorMessage empty: ${JSON.stringify(body)}`);
    assert.deepEqual(spanNames(await getTrace(id)), ['good-1', 'good-2']);
  });
});

// ---- tests: OTLP/JSON spellings the spec allows ------------------------------------------------

describe('OTLP/JSON variants', () => {
  const START = '1700000000123456789';
  const END = '1700000000987654321';

  /** What the query API must return for the span of these tests (canonical JSON records). */
  function expected(traceHex, spanHex, parentHex, service) {
    return [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scope: { name: 'variants', version: '7' },
      span: {
        traceId: hexToB64(traceHex),
        spanId: hexToB64(spanHex),
        parentSpanId: hexToB64(parentHex),
        name: 'variant',
        kind: 'SPAN_KIND_CLIENT',
        startTimeUnixNano: START,
        endTimeUnixNano: END,
        attributes: [
          { key: 'i', value: { intValue: '42' } },
          { key: 'big', value: { intValue: '-9007199254740993' } },
          { key: 'd', value: { doubleValue: 2.5 } },
          { key: 'b', value: { boolValue: true } },
        ],
        events: [{ timeUnixNano: START, name: 'ev', attributes: [{ key: 'n', value: { intValue: '7' } }] }],
        status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
      },
    }];
  }

  async function sendAndCompare(text, ids, service) {
    const res = await post('/v1/traces', text, { 'Content-Type': 'application/json' });
    const body = exportResponse(res, 'json', `variant ${service}`);
    assert.deepEqual(body, {}, `variant ${service}: response ${JSON.stringify(body)}`);
    const got = await getTrace(ids.trace);
    const defaults = findDefaultValuedFields(got);
    assert.deepEqual(defaults, [], `canonical JSON has zero/empty fields: ${defaults.join(', ')}`);
    assertSameRecords(flattenResourceSpans(got.trace.resourceSpans, service),
      expected(ids.trace, ids.span, ids.parent, service), service);
  }

  test('upper-case hex ids, enums as integers, 64-bit ints as JSON numbers', async () => {
    const ids = { trace: randHex(16), span: randHex(8), parent: randHex(8) };
    // Written by hand: 64-bit numbers beyond 2^53 must reach the server as written.
    const text = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"numbers"}}]},
      "scopeSpans":[{"scope":{"name":"variants","version":"7"},"spans":[{
        "traceId":"${ids.trace.toUpperCase()}","spanId":"${ids.span.toUpperCase()}","parentSpanId":"${ids.parent.toUpperCase()}",
        "name":"variant","kind":3,
        "startTimeUnixNano":${START},"endTimeUnixNano":${END},
        "attributes":[{"key":"i","value":{"intValue":42}},{"key":"big","value":{"intValue":-9007199254740993}},
                      {"key":"d","value":{"doubleValue":2.5}},{"key":"b","value":{"boolValue":true}}],
        "events":[{"timeUnixNano":${START},"name":"ev","attributes":[{"key":"n","value":{"intValue":7}}]}],
        "status":{"code":2,"message":"boom"}}]}]}]}`;
    await sendAndCompare(text, ids, 'numbers');
  });

  test('snake_case keys, enums as names, 64-bit ints as strings', async () => {
    const ids = { trace: randHex(16), span: randHex(8), parent: randHex(8) };
    const text = JSON.stringify({
      resource_spans: [{
        resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }] },
        scope_spans: [{
          scope: { name: 'variants', version: '7' },
          spans: [{
            trace_id: ids.trace, span_id: ids.span, parent_span_id: ids.parent,
            name: 'variant', kind: 'SPAN_KIND_CLIENT',
            start_time_unix_nano: START, end_time_unix_nano: END,
            attributes: [
              { key: 'i', value: { int_value: '42' } }, { key: 'big', value: { int_value: '-9007199254740993' } },
              { key: 'd', value: { double_value: 2.5 } }, { key: 'b', value: { bool_value: true } },
            ],
            events: [{ time_unix_nano: START, name: 'ev', attributes: [{ key: 'n', value: { int_value: '7' } }] }],
            status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
          }],
        }],
      }],
    });
    await sendAndCompare(text, ids, 'snake');
  });
});

// ---- tests: OTLP/gRPC --------------------------------------------------------------------------

describe('OTLP/gRPC TraceService/Export', () => {
  test('valid request → OK, empty response, stored for the tenant in x-scope-orgid', async () => {
    const id = randHex(16);
    const md = new grpc.Metadata();
    md.set('x-scope-orgid', 'grpc-tenant');
    const { err, value } = await grpcExport(encode(ExportTraceServiceRequest, request([span(id, 'grpc-ok')])), { metadata: md });
    assert.equal(err, null, srv.describe(`gRPC export failed: ${err?.code} ${err?.details}`));
    assert.deepEqual(decodeCanonical(ExportTraceServiceResponse, value), {});
    assert.deepEqual(spanNames(await getTrace(id, 'grpc-tenant')), ['grpc-ok']);
    const other = await httpGet(`${srv.httpUrl}/api/traces/${id}`);
    assertStatus(other, 404, 'grpc-tenant trace read without tenant');
  });

  test('gzip-compressed message → OK', async () => {
    const id = randHex(16);
    const { err } = await grpcExport(encode(ExportTraceServiceRequest, request([span(id, 'grpc-gzip')])), { compress: true });
    assert.equal(err, null, srv.describe(`gRPC gzip export failed: ${err?.code} ${err?.details}`));
    assert.deepEqual(spanNames(await getTrace(id)), ['grpc-gzip']);
  });

  test('garbage bytes → INVALID_ARGUMENT', async () => {
    for (const buf of [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), Buffer.from('not a protobuf message')]) {
      const { err } = await grpcExport(buf);
      assert.ok(err, 'garbage accepted');
      assert.equal(grpcStatusName(err.code), 'INVALID_ARGUMENT', srv.describe(`garbage → ${grpcStatusName(err.code)} ${err.details}`));
      assert.ok(err.details && err.details.length > 0, 'INVALID_ARGUMENT without a message');
    }
  });

  test('over 4 MiB → RESOURCE_EXHAUSTED', async () => {
    const { err } = await grpcExport(hugeRequest(5 * MiB));
    assert.ok(err, '5 MiB message accepted');
    assert.equal(grpcStatusName(err.code), 'RESOURCE_EXHAUSTED', srv.describe(`5 MiB → ${grpcStatusName(err.code)} ${err.details}`));
  });

  test('just under 4 MiB → OK', async () => {
    const id = randHex(16);
    const buf = encode(ExportTraceServiceRequest, request([
      span(id, 'almost-4MiB', { attributes: [{ key: 'blob', value: { stringValue: 'y'.repeat(4 * MiB - 4096) } }] }),
    ]));
    assert.ok(buf.length < 4 * MiB);
    const { err } = await grpcExport(buf);
    assert.equal(err, null, srv.describe(`${buf.length}-byte message: ${err?.code} ${err?.details}`));
    assert.deepEqual(spanNames(await getTrace(id)), ['almost-4MiB']);
  });

  test('a span with a 4-byte trace id is rejected alone (partial success)', async () => {
    const id = randHex(16);
    const spans = [span(id, 'good-1'), { ...span(id, 'bad'), traceId: crypto.randomBytes(4) }];
    const { err, value } = await grpcExport(encode(ExportTraceServiceRequest, request(spans)));
    assert.equal(err, null, srv.describe(`gRPC export failed: ${err?.code} ${err?.details}`));
    const body = decodeCanonical(ExportTraceServiceResponse, value);
    assert.equal(String(body.partialSuccess?.rejectedSpans), '1', `rejectedSpans: ${JSON.stringify(body)}`);
    assert.ok((body.partialSuccess?.errorMessage ?? '').length > 0, `errorMessage empty: ${JSON.stringify(body)}`);
    assert.deepEqual(spanNames(await getTrace(id)), ['good-1']);
  });
});

// ---- tests: the rest of the API ----------------------------------------------------------------

describe('API port', () => {
  test('/api/echo → "echo"', async () => {
    const res = await httpGet(`${srv.httpUrl}/api/echo`);
    assertStatus(res, 200, '/api/echo');
    assert.equal(res.body.toString('utf8'), 'echo');
  });

  test('/api/status/buildinfo is JSON with a version', async () => {
    const res = await httpGet(`${srv.httpUrl}/api/status/buildinfo`);
    assertStatus(res, 200, '/api/status/buildinfo');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
    const info = JSON.parse(res.body.toString('utf8'));
    assert.equal(typeof info.version, 'string', `buildinfo: ${JSON.stringify(info)}`);
    assert.ok(info.version.length > 0, `buildinfo: empty version`);
  });

  test('/metrics is Prometheus text with tracehouse_ series', async () => {
    const res = await httpGet(`${srv.httpUrl}/metrics`);
    assertStatus(res, 200, '/metrics');
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b/);
    const text = res.body.toString('utf8');
    const lines = text.split('\n').filter((l) => l.startsWith('tracehouse_'));
    assert.ok(lines.length > 0, `no tracehouse_ series in /metrics:\n${text.slice(0, 500)}`);
    for (const l of lines) assert.match(l, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+( \d+)?$/, `bad exposition line: ${l}`);
  });
});

describe('after all of the above', () => {
  test('the server is still ready, and SIGTERM stops it cleanly (exit 0)', async () => {
    const ready = await httpGet(`${srv.httpUrl}/ready`);
    assertStatus(ready, 200, '/ready after the error cases');
    const r = await srv.stop();
    assert.equal(r.killed, false, srv.describe('server did not exit within 15 s of SIGTERM'));
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
      srv.describe('exit status after SIGTERM'));
  });
});
