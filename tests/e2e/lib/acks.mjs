// Ack logs written by `tracehouse loadgen --ack-log` and checks that every acknowledged trace
// reads back with exactly its span count (shared by the crash tests).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { b64ToHex, countSpans } from './otlp.mjs';

const VERIFY_CONCURRENCY = 8;

/** Ack log lines, each `<32 hex trace id> <span count>`; every line must be complete and well formed. */
export async function readAckLog(file) {
  let text;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  if (text.length && !text.endsWith('\n')) assert.fail(`ack log ends in a partial line: ...${JSON.stringify(text.slice(-80))}`);
  return text.split('\n').filter(Boolean).map((line, i) => {
    const m = /^([0-9a-f]{32}) (\d+)$/.exec(line);
    assert.ok(m, `ack log line ${i + 1} malformed: ${JSON.stringify(line)}`);
    return { traceId: m[1], spans: Number(m[2]) };
  });
}

/** Every expected {tenant, traceId} → span count (a trace id acked twice would add up). */
export function expectations(entries) {
  const want = new Map();
  for (const { tenant, traceId, spans } of entries) {
    const key = `${tenant ?? ''}/${traceId}`;
    const prev = want.get(key);
    want.set(key, { tenant, traceId, spans: (prev?.spans ?? 0) + spans });
  }
  return [...want.values()];
}

/**
 * verifyAll again, `pauseMs` apart, until nothing fails or `timeoutMs` has passed (spans still on
 * their way, e.g. in an agent's queue); returns the last failures.
 */
export async function verifyEventually(srv, wanted, timeoutMs, pauseMs = 300) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failures = await verifyAll(srv, wanted);
    if (!failures.length || Date.now() >= deadline) return failures;
    await sleep(pauseMs);
  }
}

/** Fetches every trace via /api/v2/traces (JSON) and checks its span count; returns failures. */
export async function verifyAll(srv, wanted) {
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < wanted.length) {
      const { tenant, traceId, spans } = wanted[next++];
      const where = `trace ${traceId}${tenant ? ` (tenant ${tenant})` : ''}`;
      try {
        const res = await fetch(`${srv.httpUrl}/api/v2/traces/${traceId}`, {
          headers: tenant ? { 'X-Scope-OrgID': tenant } : {},
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status !== 200) {
          failures.push(`${where}: HTTP ${res.status} ${text.slice(0, 120)} (acked with ${spans} spans)`);
          continue;
        }
        const body = JSON.parse(text);
        const rs = body?.trace?.resourceSpans ?? [];
        const got = countSpans(rs);
        if (got !== spans) {
          failures.push(`${where}: ${got} spans, acked with ${spans}`);
          continue;
        }
        for (const r of rs) {
          for (const ss of r.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              const hex = b64ToHex(s.traceId ?? '');
              if (hex !== traceId) {
                failures.push(`${where}: span ${s.name} has traceId ${hex}`);
              }
            }
          }
        }
      } catch (e) {
        failures.push(`${where}: ${e.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: VERIFY_CONCURRENCY }, worker));
  return failures;
}

export function summarize(failures, total) {
  const shown = failures.slice(0, 25).join('\n');
  return `${failures.length} of ${total} acknowledged traces wrong:\n${shown}` +
    (failures.length > 25 ? `\n... and ${failures.length - 25} more` : '');
}

