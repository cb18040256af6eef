// Crash test: `tracehouse loadgen` sends flat out while the server is killed with SIGKILL; after a
// restart on the same data dir, every trace that loadgen saw acknowledged (its --ack-log) must come
// back with exactly its span count. Three rounds on one data dir, one per OTLP protocol, one of
// them for a named tenant (the ack log is shared; after each restart the earlier rounds are
// re-checked too, see selectForCheck); then a graceful SIGTERM restart and a last check.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/crash_recovery.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { expectations, readAckLog, summarize, verifyAll } from './lib/acks.mjs';
import { makeTempDir, removeDir, startServer, startTool } from './lib/server.mjs';

// Fixed kill points and seeds (a failure must be reproducible). Each round has its own seed so
// no trace id repeats across rounds (loadgen's default seed is fixed).
const ROUNDS = [
  { protocol: 'grpc', killAfterMs: 1500, seed: 1000 },
  { protocol: 'http/protobuf', killAfterMs: 2000, seed: 2000, tenant: 'crash-tenant' },
  { protocol: 'http/json', killAfterMs: 2500, seed: 3000 },
];
const LOADGEN_DURATION = '4s';
const LOADGEN_TIMEOUT_MS = 30_000;
// Which acknowledged traces are re-read after a restart. Every trace acknowledged in the round
// just crashed is read back (the head serves trace by id by slicing stored bytes, ~1 ms per trace
// in a dev build). Traces of earlier rounds, checked again after each later crash, and the
// final check after the graceful restart are deterministic samples:
//   EARLIER.cap per earlier round, FINAL.cap per round after the last restart, each being the last
//   `tail` acknowledged before that round's kill plus an even spread of the rest.
// TRACEHOUSE_E2E_FULL=1 reads every acknowledged trace every time.
const FULL_RECHECK = process.env.TRACEHOUSE_E2E_FULL === '1';
const LATEST = { cap: Infinity, tail: 0 };
const EARLIER = { cap: 100, tail: 25 };
const FINAL = { cap: 200, tail: 50 };

/** Up to `cap` entries: the last `tail`, plus evenly spaced ones (the first included) before them. */
function spread(entries, { cap, tail }) {
  if (FULL_RECHECK || entries.length <= cap) return entries;
  const head = entries.slice(0, entries.length - tail);
  const k = cap - tail;
  const picks = [];
  for (let i = 0; i < k; i++) picks.push(head[Math.floor((i * head.length) / k)]);
  return [...picks, ...entries.slice(-tail)];
}

/** The entries to re-read after a restart, from the per-round ack log entries. */
function selectForCheck(rounds, { final = false } = {}) {
  return rounds.flatMap((entries, i) =>
    spread(entries, final ? FINAL : i === rounds.length - 1 ? LATEST : EARLIER));
}

function endpointFor(srv, protocol) {
  return protocol === 'grpc' ? srv.grpcAddress : `127.0.0.1:${srv.otlpHttpPort}`;
}

test('every acknowledged span survives kill -9 (3 rounds on one data dir)', { timeout: 240_000 }, async (t) => {
  const workDir = await makeTempDir('tracehouse-crash-');
  const dataDir = path.join(workDir, 'data');
  await fs.mkdir(dataDir);
  const ackLog = path.join(workDir, 'acks.log');
  const entries = []; // {tenant, traceId, spans}
  const roundEntries = []; // per round, in ack order
  let srv;
  let loadgen;
  const t0 = Date.now();
  try {
    srv = await startServer({ dataDir });
    for (const [i, round] of ROUNDS.entries()) {
      const label = `round ${i + 1} (${round.protocol}${round.tenant ? `, tenant ${round.tenant}` : ''})`;
      const linesBefore = (await readAckLog(ackLog)).length;

      const args = [
        'loadgen',
        '--endpoint', endpointFor(srv, round.protocol),
        '--protocol', round.protocol,
        '--concurrency', '4',
        '--duration', LOADGEN_DURATION,
        '--ack-log', ackLog,
        '--seed', String(round.seed),
        ...(round.tenant ? ['--tenant', round.tenant] : []),
      ];
      loadgen = startTool(args, { timeoutMs: LOADGEN_TIMEOUT_MS });
      const lgEarlyExit = await Promise.race([loadgen.done.then(() => true), sleep(round.killAfterMs).then(() => false)]);
      assert.equal(lgEarlyExit, false, `${label}: loadgen exited before the kill: ${JSON.stringify(await loadgen.done)}`);

      const killed = await srv.kill();
      assert.equal(killed.signal, 'SIGKILL', srv.describe(`${label}: server was not running at the kill (${JSON.stringify(killed)})`));
      const lg = await loadgen.done;
      loadgen = null;
      const lgInfo = `loadgen ${args.join(' ')}\nexit ${lg.code}/${lg.signal}\nstdout:\n${lg.stdout.slice(-2000)}\nstderr:\n${lg.stderr.slice(-2000)}`;
      assert.equal(lg.timedOut, false, `${label}: loadgen still running ${LOADGEN_TIMEOUT_MS} ms after start\n${lgInfo}`);
      assert.equal(lg.code, 0, `${label}: loadgen failed\n${lgInfo}`);
      const m = /acked_spans=(\d+)/.exec(lg.stdout);
      assert.ok(m, `${label}: no acked_spans= in loadgen's summary\n${lgInfo}`);
      const acked = Number(m[1]);
      assert.ok(acked > 0, `${label}: nothing acknowledged before the kill\n${lgInfo}`);

      const all = await readAckLog(ackLog);
      const fresh = all.slice(linesBefore);
      const freshSpans = fresh.reduce((n, e) => n + e.spans, 0);
      assert.ok(fresh.length > 0, `${label}: loadgen reported acked_spans=${acked} but wrote no ack log lines`);
      assert.equal(freshSpans, acked, `${label}: ack log lists ${freshSpans} spans, loadgen summary says acked_spans=${acked}\n${lgInfo}`);
      const tagged = fresh.map((e) => ({ ...e, tenant: round.tenant }));
      entries.push(...tagged);
      roundEntries.push(tagged);

      const tr = Date.now();
      srv = await startServer({ dataDir });
      const restartMs = Date.now() - tr;
      const wanted = expectations(selectForCheck(roundEntries));
      const tv = Date.now();
      const failures = await verifyAll(srv, wanted);
      t.diagnostic(`${label}: acked ${acked} spans in ${fresh.length} traces; restart ${restartMs} ms; ` +
        `verified ${wanted.length} of ${entries.length} acked traces in ${Date.now() - tv} ms`);
      assert.deepEqual(failures.length, 0, srv.describe(`${label}, after restart: ${summarize(failures, wanted.length)}`));
    }

    // A graceful stop and one more restart lose nothing either.
    const stopped = await srv.stop();
    assert.deepEqual({ code: stopped.code, signal: stopped.signal, killed: stopped.killed },
      { code: 0, signal: null, killed: false }, srv.describe('SIGTERM after the crash rounds'));
    srv = await startServer({ dataDir });
    const wanted = expectations(selectForCheck(roundEntries, { final: true }));
    const failures = await verifyAll(srv, wanted);
    assert.equal(failures.length, 0, srv.describe(`after SIGTERM + restart: ${summarize(failures, wanted.length)}`));
    t.diagnostic(`after SIGTERM + restart: verified ${wanted.length} of ${entries.length} traces; ` +
      `total ${Date.now() - t0} ms, ${entries.reduce((n, e) => n + e.spans, 0)} spans acked`);
  } finally {
    loadgen?.kill();
    if (srv) await srv.kill();
    await removeDir(workDir);
  }
});
