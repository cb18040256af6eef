// Crash test for blocks: the server cuts blocks every second and compacts them every second,
// and dies at one step of flush, block write, compaction or deletion (a crash point armed with
// TRACEHOUSE_CRASH_AT, which ends the process with _exit(86) right there, as kill -9 would).
// After a restart on the same data dir every trace `tracehouse loadgen` saw acknowledged must
// read back with exactly its span count — no span lost, none returned twice — and again once the
// restarted server has cut and compacted what it replayed. One data dir for all rounds; earlier
// rounds are re-checked by sample after each later crash.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/block_crash.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { expectations, readAckLog, summarize, verifyAll } from './lib/acks.mjs';
import { makeTempDir, removeDir, startServer, startTool } from './lib/server.mjs';

// Every step where a crash leaves different state behind (src/store: store.cc, block_writer.cc,
// compactor.cc, catalog.cc).
const CRASH_POINTS_ALL = [
  'flush.after_rotate', // head frozen, WAL rotated, no block yet
  'block.before_meta', // data, index and bloom written, block not visible
  'flush.after_block_written', // block visible, not in the catalog, WAL still there
  'flush.after_publish', // block in the catalog, spans dropped from the head, WAL still there
  'flush.before_wal_removal', // every tenant flushed, WAL segments not yet removed
  'compact.after_output_written', // merged block visible, inputs still visible too
  'compact.after_publish', // merged block published, inputs retired but not deleted
  'delete.after_meta', // a retired input's meta deleted, its data not yet
];
// TRACEHOUSE_CRASH_POINTS=a,b runs only those (for debugging one step).
const CRASH_POINTS = process.env.TRACEHOUSE_CRASH_POINTS
  ? process.env.TRACEHOUSE_CRASH_POINTS.split(',') : CRASH_POINTS_ALL;

const CONFIG = `
storage:
  block:
    max_block_bytes_mib: 1
    max_block_duration: 1s
  compaction:
    compaction_cycle: 1s
    max_block_spans: 150000
    max_inputs: 4
    compacted_block_retention: 0s
    cpu_budget: 1
`;
const LOADGEN_DURATION_S = 6;
const LOADGEN_TIMEOUT_MS = 30_000;
const CRASH_WAIT_MS = 30_000; // the crash point must be reached within this
// Trace by id decodes a whole row group per block in the sanitizer build (~50 ms), so each check
// reads a sample: of the round just crashed the last LATEST_TAIL acknowledged (those in flight
// around the crash) plus LATEST_SPREAD spread over the rest; EARLIER_SAMPLE of each earlier round.
// TRACEHOUSE_E2E_FULL=1 reads every acknowledged trace.
const FULL = process.env.TRACEHOUSE_E2E_FULL === '1';
const LATEST_TAIL = 150;
const LATEST_SPREAD = 150;
const EARLIER_SAMPLE = 40;

function sample(entries, n) {
  if (FULL || entries.length <= n) return entries;
  return Array.from({ length: n }, (_, i) => entries[Math.floor((i * entries.length) / n)]);
}

function latest(entries) {
  if (FULL || entries.length <= LATEST_TAIL + LATEST_SPREAD) return entries;
  const cut = entries.length - LATEST_TAIL;
  return [...sample(entries.slice(0, cut), LATEST_SPREAD), ...entries.slice(cut)];
}

test('no acknowledged span is lost or returned twice after a crash at any step of flush and compaction',
  { timeout: 600_000 }, async (t) => {
    const workDir = await makeTempDir('tracehouse-block-crash-');
    const dataDir = path.join(workDir, 'data');
    await fs.mkdir(dataDir);
    const configFile = path.join(workDir, 'tracehouse.yaml');
    await fs.writeFile(configFile, CONFIG);
    const ackLog = path.join(workDir, 'acks.log');
    const rounds = []; // per round: acked entries
    let srv;
    let loadgen;
    try {
      for (const [i, point] of CRASH_POINTS.entries()) {
        const label = `round ${i + 1} (${point})`;
        const linesBefore = (await readAckLog(ackLog)).length;
        srv = await startServer({
          dataDir,
          extraArgs: ['--config', configFile],
          env: { TRACEHOUSE_CRASH_AT: point },
        });
        const args = [
          'loadgen', '--endpoint', srv.grpcAddress, '--concurrency', '2', '--rate', '20000',
          '--duration', `${LOADGEN_DURATION_S}s`, '--ack-log', ackLog, '--seed', String(10_000 * (i + 1)),
        ];
        loadgen = startTool(args, { timeoutMs: LOADGEN_TIMEOUT_MS });
        const exit = await Promise.race([srv.exited, sleep(CRASH_WAIT_MS).then(() => 'still running')]);
        const lg = await loadgen.done;
        loadgen = null;
        assert.equal(exit.code, 86, srv.describe(`${label}: the server did not stop at the crash point (exit ${JSON.stringify(exit)})`));
        assert.match(srv.stderr(), new RegExp(`crash point ${point.replace('.', '\\.')} reached`));
        assert.equal(lg.code, 0, `${label}: loadgen failed\n${lg.stdout.slice(-1000)}\n${lg.stderr.slice(-1000)}`);

        const fresh = (await readAckLog(ackLog)).slice(linesBefore);
        assert.ok(fresh.length > 0, `${label}: nothing was acknowledged before the crash`);
        rounds.push(fresh);

        srv = await startServer({ dataDir, extraArgs: ['--config', configFile] });
        const wanted = expectations([
          ...rounds.slice(0, -1).flatMap((r) => sample(r, EARLIER_SAMPLE)),
          ...latest(fresh),
        ]);
        let failures = await verifyAll(srv, wanted);
        assert.equal(failures.length, 0, srv.describe(`${label}, right after restart: ${summarize(failures, wanted.length)}`));
        // Let the restarted server cut what it replayed and compact, then read everything again.
        await sleep(3000);
        failures = await verifyAll(srv, wanted);
        assert.equal(failures.length, 0, srv.describe(`${label}, after cuts and compaction: ${summarize(failures, wanted.length)}`));
        const stopped = await srv.stop();
        assert.equal(stopped.code, 0, srv.describe(`${label}: SIGTERM`));
        t.diagnostic(`${label}: ${fresh.length} traces acked before the crash; ${wanted.length} ` +
          'verified after the restart and again after cuts and compaction');
      }
    } finally {
      loadgen?.kill();
      if (srv) await srv.kill();
      await removeDir(workDir);
    }
  });
