// The project's own .proto files (proto/), loaded with protobufjs, for decoding the query API's
// protobuf answers and for hand-building OTLP requests.

import path from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR } from './server.mjs';

function loadRoot(files) {
  const root = new protobuf.Root();
  // Imports are relative to the proto root ("opentelemetry/proto/...").
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(files); // field names become lowerCamelCase (keepCase: false)
  root.resolveAll();
  return root;
}

export const root = loadRoot([
  'tempopb/tempo.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
]);

export const Trace = root.lookupType('tempopb.Trace');
export const TraceByIDResponse = root.lookupType('tempopb.TraceByIDResponse');
export const ExportTraceServiceRequest =
  root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse =
  root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

// google.rpc.Status, the body OTLP/HTTP returns with an error for a protobuf request.
// `details` are google.protobuf.Any; kept as raw bytes here.
export const RpcStatus = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Status { int32 code = 1; string message = 2; repeated bytes details = 3; }
`).root.lookupType('google.rpc.Status');

/**
 * Decodes bytes to a plain object in protobuf's canonical JSON conventions, so it can be compared
 * with the server's JSON directly: 64-bit ints as strings, enums as names, bytes as base64,
 * unset fields and empty repeated fields omitted.
 */
export function decodeCanonical(type, bytes) {
  const msg = type.decode(bytes);
  return type.toObject(msg, {
    longs: String,
    enums: String,
    bytes: String,
    defaults: false,
    arrays: false,
    objects: false,
    oneofs: false,
    json: true,
  });
}

/** Encodes a plain object (fromObject conventions: bytes as Buffer, longs as strings/numbers). */
export function encode(type, obj) {
  const msg = type.fromObject(obj);
  return Buffer.from(type.encode(msg).finish());
}
