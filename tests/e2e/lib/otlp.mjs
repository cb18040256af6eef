// What the OpenTelemetry JS SDK exported, in the shape Tempo's API returns it, and a field-by-field
// comparison of the two.
//
// Both sides are brought to protobuf's canonical JSON conventions (the server's JSON is compared as
// it is; its protobuf answers are decoded with lib/proto.mjs decodeCanonical):
//   ids base64 of the raw bytes, 64-bit ints as decimal strings, enums as names, fixed32/uint32 as
//   numbers, zero/empty fields absent.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { ExportResultCode } from '@opentelemetry/core';

export const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER',
];
export const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

export const hexToB64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
export const b64ToHex = (b64) => Buffer.from(b64, 'base64').toString('hex');

/** hrTime → nanoseconds as the OTLP transformer computes them (truncating both parts). */
export function hrTimeToNanos(t) {
  return (BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString();
}

// ---- expected, from ReadableSpans ----------------------------------------------------------------

/** An SDK attribute value → canonical JSON AnyValue (the transformer's toAnyValue rules). */
export function anyValue(v) {
  if (v === null || v === undefined) return {};
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  }
  if (Array.isArray(v)) {
    return v.length ? { arrayValue: { values: v.map(anyValue) } } : { arrayValue: {} };
  }
  if (v instanceof Uint8Array) {
    return v.length ? { bytesValue: Buffer.from(v).toString('base64') } : { bytesValue: '' };
  }
  if (typeof v === 'object') {
    const values = Object.entries(v).map(([key, value]) => ({ key, value: anyValue(value) }));
    return values.length ? { kvlistValue: { values } } : { kvlistValue: {} };
  }
  throw new Error(`unexpected attribute value ${String(v)}`);
}

function keyValues(attrs) {
  return Object.entries(attrs ?? {}).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function putIf(obj, key, value) {
  if (value === undefined || value === null || value === 0 || value === '' ||
      (Array.isArray(value) && value.length === 0)) return;
  obj[key] = value;
}

function spanFlags(traceFlags, isRemote) {
  return ((traceFlags ?? 0) & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** One ReadableSpan → canonical JSON Span, as the SDK's OTLP exporters put it on the wire. */
export function expectedSpan(s) {
  const ctx = s.spanContext();
  const out = { traceId: hexToB64(ctx.traceId), spanId: hexToB64(ctx.spanId) };
  putIf(out, 'traceState', ctx.traceState?.serialize());
  if (s.parentSpanContext?.spanId) out.parentSpanId = hexToB64(s.parentSpanContext.spanId);
  out.flags = spanFlags(ctx.traceFlags, s.parentSpanContext?.isRemote);
  out.name = s.name;
  putIf(out, 'kind', s.kind == null ? undefined : SPAN_KINDS[s.kind + 1]);
  out.startTimeUnixNano = hrTimeToNanos(s.startTime);
  out.endTimeUnixNano = hrTimeToNanos(s.endTime);
  putIf(out, 'attributes', keyValues(s.attributes));
  putIf(out, 'droppedAttributesCount', s.droppedAttributesCount);
  putIf(out, 'events', s.events.map((e) => {
    const ev = { timeUnixNano: hrTimeToNanos(e.time), name: e.name };
    putIf(ev, 'attributes', keyValues(e.attributes));
    putIf(ev, 'droppedAttributesCount', e.droppedAttributesCount);
    return ev;
  }));
  putIf(out, 'droppedEventsCount', s.droppedEventsCount);
  putIf(out, 'links', s.links.map((l) => {
    const lk = { traceId: hexToB64(l.context.traceId), spanId: hexToB64(l.context.spanId) };
    putIf(lk, 'traceState', l.context.traceState?.serialize());
    putIf(lk, 'attributes', keyValues(l.attributes));
    putIf(lk, 'droppedAttributesCount', l.droppedAttributesCount);
    lk.flags = spanFlags(l.context.traceFlags, l.context.isRemote);
    return lk;
  }));
  putIf(out, 'droppedLinksCount', s.droppedLinksCount);
  const status = {};
  putIf(status, 'code', s.status.code ? STATUS_CODES[s.status.code] : undefined);
  putIf(status, 'message', s.status.message);
  if (Object.keys(status).length) out.status = status;
  return out;
}

/**
 * ReadableSpans → flat records {resource, resourceSchemaUrl?, scope, scopeSchemaUrl?, span},
 * each holding the span with its resource and scope as the exporter sent them.
 */
export function expectedRecords(readableSpans) {
  return readableSpans.map((s) => {
    const resource = {};
    putIf(resource, 'attributes', keyValues(s.resource.attributes));
    const scope = {};
    putIf(scope, 'name', s.instrumentationScope.name);
    putIf(scope, 'version', s.instrumentationScope.version);
    const rec = { resource, scope, span: expectedSpan(s) };
    putIf(rec, 'resourceSchemaUrl', s.resource.schemaUrl);
    putIf(rec, 'scopeSchemaUrl', s.instrumentationScope.schemaUrl);
    return rec;
  });
}

// ---- actual, from the server's answer --------------------------------------------------------------

const RS_KEYS = new Set(['resource', 'scopeSpans', 'schemaUrl']);
const SS_KEYS = new Set(['scope', 'spans', 'schemaUrl']);

/** resourceSpans[] → the same flat records as expectedRecords. */
export function flattenResourceSpans(resourceSpans, where) {
  assert.ok(Array.isArray(resourceSpans), `${where}: resourceSpans is not an array: ${JSON.stringify(resourceSpans)}`);
  const out = [];
  resourceSpans.forEach((rs, i) => {
    for (const k of Object.keys(rs)) assert.ok(RS_KEYS.has(k), `${where}: resourceSpans[${i}] has unexpected key "${k}"`);
    (rs.scopeSpans ?? []).forEach((ss, j) => {
      for (const k of Object.keys(ss)) assert.ok(SS_KEYS.has(k), `${where}: resourceSpans[${i}].scopeSpans[${j}] has unexpected key "${k}"`);
      for (const span of ss.spans ?? []) {
        const rec = { resource: rs.resource ?? {}, scope: ss.scope ?? {}, span };
        if (rs.schemaUrl !== undefined) rec.resourceSchemaUrl = rs.schemaUrl;
        if (ss.schemaUrl !== undefined) rec.scopeSchemaUrl = ss.schemaUrl;
        out.push(rec);
      }
    });
  });
  return out;
}

/** Spans in resourceSpans[] (across all resources and scopes). */
export function countSpans(resourceSpans) {
  let n = 0;
  for (const rs of resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  return n;
}

// AnyValue members keep their value even when it is the type's default (a set oneof).
const ANY_VALUE_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue']);

/**
 * Canonical JSON omits zero/empty fields: lists every place the server's JSON has one
 * (0, "0" for 64-bit ints, "", false, [], null), outside AnyValue members.
 */
export function findDefaultValuedFields(obj, path = '$', out = []) {
  if (Array.isArray(obj)) {
    obj.forEach((v, i) => findDefaultValuedFields(v, `${path}[${i}]`, out));
  } else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) {
      const p = `${path}.${k}`;
      if (!ANY_VALUE_KEYS.has(k) &&
          (v === 0 || v === '0' || v === '' || v === false || v === null ||
           (Array.isArray(v) && v.length === 0))) {
        out.push(`${p}=${JSON.stringify(v)}`);
      }
      findDefaultValuedFields(v, p, out);
    }
  }
  return out;
}

/** Removes default-valued fields (outside AnyValue members) — for decoded protobuf, where an
 *  explicitly encoded zero is legal on the wire. Also drops an empty `status`. */
export function stripDefaults(obj) {
  if (Array.isArray(obj)) return obj.map(stripDefaults);
  if (!obj || typeof obj !== 'object') return obj;
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!ANY_VALUE_KEYS.has(k) &&
        (v === 0 || v === '0' || v === '' || v === false || v === null ||
         (Array.isArray(v) && v.length === 0) ||
         (v && typeof v === 'object' && v.constructor === Object && Object.keys(v).length === 0 &&
          k !== 'value' && k !== 'arrayValue' && k !== 'kvlistValue'))) continue;
    out[k] = stripDefaults(v);
  }
  return out;
}

function sortedAttrs(list) {
  if (!Array.isArray(list)) return list;
  return [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Attribute order is not significant in OTLP; everything else (event order, link order, array
 * element order) is compared as is. An empty `status` ({}) means UNSET, the same as no status.
 */
function normalizeRecord(rec) {
  const r = structuredClone(rec);
  if (r.resource?.attributes) r.resource.attributes = sortedAttrs(r.resource.attributes);
  if (r.scope?.attributes) r.scope.attributes = sortedAttrs(r.scope.attributes);
  const s = r.span;
  if (s.attributes) s.attributes = sortedAttrs(s.attributes);
  for (const e of s.events ?? []) if (e.attributes) e.attributes = sortedAttrs(e.attributes);
  for (const l of s.links ?? []) if (l.attributes) l.attributes = sortedAttrs(l.attributes);
  if (s.status && Object.keys(s.status).length === 0) delete s.status;
  return r;
}

/**
 * Compares the server's records with the expected ones, span by span (matched by spanId), and
 * throws one AssertionError listing every difference.
 */
export function assertSameRecords(actual, expected, where) {
  const problems = [];
  const byId = new Map();
  for (const rec of actual) {
    const id = rec.span?.spanId;
    if (byId.has(id)) problems.push(`span ${id} ("${rec.span?.name}") returned more than once`);
    byId.set(id, normalizeRecord(rec));
  }
  for (const exp of expected) {
    const id = exp.span.spanId;
    const want = normalizeRecord(exp);
    const got = byId.get(id);
    byId.delete(id);
    if (!got) {
      problems.push(`span ${b64ToHex(id)} ("${exp.span.name}") missing`);
      continue;
    }
    if (!isDeepStrictEqual(got, want)) {
      let diff;
      try { assert.deepStrictEqual(got, want); } catch (e) { diff = e.message; }
      problems.push(`span ${b64ToHex(id)} ("${exp.span.name}") differs (actual vs expected):\n${diff}`);
    }
  }
  for (const [id, rec] of byId) problems.push(`unexpected span ${id} ("${rec.span?.name}")`);
  if (problems.length) {
    assert.fail(`${where}: ${problems.length} problem(s)\n${problems.join('\n\n')}`);
  }
}

// ---- a SpanExporter that records what it exported -------------------------------------------------

/** Wraps an OTLP exporter: records every ReadableSpan handed to it and every export result. */
export class RecordingExporter {
  constructor(inner) {
    this.inner = inner;
    this.spans = [];
    this.results = [];
  }

  export(spans, resultCallback) {
    this.spans.push(...spans);
    this.inner.export(spans, (result) => {
      this.results.push(result);
      resultCallback(result);
    });
  }

  forceFlush() { return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve(); }
  shutdown() { return this.inner.shutdown(); }

  /** Throws unless every export call succeeded. */
  assertAllSucceeded(where) {
    assert.ok(this.results.length > 0, `${where}: exporter was never called`);
    this.results.forEach((r, i) => {
      assert.equal(r.code, ExportResultCode.SUCCESS,
        `${where}: export #${i} failed: ${r.error?.stack ?? r.error ?? 'no error given'}`);
    });
  }
}
