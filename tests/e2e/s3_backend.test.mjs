// The S3 backend end to end: `tracehouse serve --config` with `storage.backend: s3` against a
// Swift + s3api server of its own (scripts/s3-test-server.sh in a temp dir, loopback only),
// blocks cut every second. Every trace `tracehouse loadgen` saw acknowledged must read back with
// exactly its span count: once the head has been cut into blocks on S3, and again after a restart
// on a FRESH data dir (so only S3 holds the spans). Then wrong credentials: serve still starts,
// accepts spans, says SignatureDoesNotMatch in its log and keeps serving the spans from its head;
// restarted with good credentials on the same data dir it flushes them to S3, nothing lost.
//
// Run: TRACEHOUSE_BIN=build/dev/src/app/tracehouse node --test tests/e2e/s3_backend.test.mjs

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { expectations, readAckLog, summarize, verifyAll } from './lib/acks.mjs';
import { REPO_ROOT, httpGet, makeTempDir, removeDir, runTool, startServer, startTool } from './lib/server.mjs';

const S3_SCRIPT = path.join(REPO_ROOT, 'scripts/s3-test-server.sh');
const S3_START_TIMEOUT_MS = 120_000;
const LOADGEN_TIMEOUT_MS = 30_000;
const FLUSH_WAIT_MS = 60_000; // blocks cut (1 s) and uploaded, head empty
const ERROR_WAIT_MS = 30_000; // the credentials error shows in the log
// The sanitizer build reads a block's row group per trace lookup; keep the load modest.
const LOADGEN = ['--concurrency', '2', '--rate', '3000', '--duration', '3s'];

/** Runs scripts/s3-test-server.sh `cmd` `dir`; rejects with its output on failure or timeout. */
function s3Script(cmd, dir, timeoutMs = S3_START_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    execFile(S3_SCRIPT, [cmd, dir], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`s3-test-server.sh ${cmd} ${dir} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The server's DIR/env as an object (S3_ENDPOINT, S3_BUCKET, ...). */
async function s3Env(dir) {
  const env = {};
  for (const line of (await fs.readFile(path.join(dir, 'env'), 'utf8')).split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

function config(s3, secret) {
  // JSON strings are YAML strings: the access key holds a ':'.
  return `
storage:
  backend: s3
  s3:
    endpoint: ${JSON.stringify(s3.S3_ENDPOINT)}
    bucket: ${JSON.stringify(s3.S3_BUCKET)}
    region: ${JSON.stringify(s3.S3_REGION)}
    access_key: ${JSON.stringify(s3.S3_ACCESS_KEY)}
    secret_key: ${JSON.stringify(secret)}
  block:
    max_block_duration: 1s
  compaction:
    compaction_cycle: 1s
    compacted_block_retention: 0s
    cpu_budget: 1
`;
}

/** Prometheus value of an unlabelled metric, or undefined. */
async function metric(srv, name) {
  const res = await httpGet(`${srv.httpUrl}/metrics`);
  assert.equal(res.status, 200);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(res.body.toString());
  return m ? Number(m[1]) : undefined;
}

/** Waits until the server has blocks and an empty head; returns the block count. */
async function waitFlushed(srv, label) {
  const deadline = Date.now() + FLUSH_WAIT_MS;
  let blocks;
  let head;
  while (Date.now() < deadline) {
    blocks = await metric(srv, 'tracehouse_store_blocks');
    head = await metric(srv, 'tracehouse_head_spans');
    if (blocks > 0 && head === 0) return blocks;
    await sleep(250);
  }
  assert.fail(srv.describe(`${label}: not flushed after ${FLUSH_WAIT_MS} ms (blocks ${blocks}, head spans ${head})`));
}

async function runLoadgen(srv, ackLog, seed, label) {
  const lg = await startTool(['loadgen', '--endpoint', srv.grpcAddress, ...LOADGEN,
    '--ack-log', ackLog, '--seed', String(seed)], { timeoutMs: LOADGEN_TIMEOUT_MS }).done;
  assert.equal(lg.code, 0, srv.describe(`${label}: loadgen failed\n${lg.stdout.slice(-1000)}\n${lg.stderr.slice(-1000)}`));
  const acked = await readAckLog(ackLog);
  assert.ok(acked.length > 0, `${label}: nothing acknowledged`);
  return acked;
}

async function verify(srv, acked, label) {
  const wanted = expectations(acked);
  const failures = await verifyAll(srv, wanted);
  assert.equal(failures.length, 0, srv.describe(`${label}: ${summarize(failures, wanted.length)}`));
  return wanted.length;
}

test('acknowledged spans survive on S3, across a fresh data dir and wrong credentials',
  { timeout: 280_000 }, async (t) => {
    const workDir = await makeTempDir('tracehouse-s3-');
    const s3Dir = path.join(workDir, 's3');
    const goodConfig = path.join(workDir, 'good.yaml');
    const badConfig = path.join(workDir, 'bad.yaml');
    const acks1 = path.join(workDir, 'acks1.log');
    const acks2 = path.join(workDir, 'acks2.log');
    let s3Started = false;
    let srv;
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    try {
      s3Started = true; // a failed start may leave servers behind: always stop
      await s3Script('start', s3Dir);
      const s3 = await s3Env(s3Dir);
      await fs.writeFile(goodConfig, config(s3, s3.S3_SECRET_KEY));
      await fs.writeFile(badConfig, config(s3, 'not-the-secret'));
      t.diagnostic(`s3 server up at ${s3.S3_ENDPOINT} (${elapsed()})`);

      // 1. Spans into blocks on S3.
      const dataA = path.join(workDir, 'data-a');
      srv = await startServer({ dataDir: dataA, extraArgs: ['--config', goodConfig] });
      assert.match(srv.stderr(), /backend=s3/);
      const first = await runLoadgen(srv, acks1, 1000, 'good credentials');
      const blocks = await waitFlushed(srv, 'good credentials');
      let n = await verify(srv, first, 'read from blocks on S3');
      t.diagnostic(`${n} traces acked and read back from ${blocks} blocks (${elapsed()})`);
      assert.equal((await srv.stop()).code, 0, srv.describe('SIGTERM'));

      // The block tools read the same bucket through the same config.
      const ls = await runTool(['block', 'ls', '--config', goodConfig, '--json'], { timeoutMs: 30_000 });
      assert.equal(ls.code, 0, `block ls --config: ${ls.stderr}`);
      const listed = JSON.parse(ls.stdout).blocks.filter((b) => !b.compactedInto);
      assert.ok(listed.length > 0, `block ls found no blocks on S3: ${ls.stdout.slice(0, 500)}`);
      const verified = await runTool(['block', 'verify', '--config', goodConfig], { timeoutMs: 60_000 });
      assert.equal(verified.code, 0, `block verify --config: ${verified.stdout.slice(-1000)}${verified.stderr}`);

      // 2. A fresh data dir: no WAL, no head; only S3 holds the spans.
      srv = await startServer({ dataDir: path.join(workDir, 'data-b'), extraArgs: ['--config', goodConfig] });
      assert.equal(await metric(srv, 'tracehouse_head_spans'), 0);
      assert.ok(await metric(srv, 'tracehouse_store_blocks') > 0, srv.describe('no blocks loaded from S3'));
      n = await verify(srv, first, 'fresh data dir, read from S3 alone');
      t.diagnostic(`${n} traces read back from S3 alone (${elapsed()})`);

      // A filtered search over those blocks, twice: the second run takes the columns its
      // conditions need from the column cache, and both find the same traces.
      const now = Math.floor(Date.now() / 1000);
      const searchPath = `/api/search?${new URLSearchParams({
        q: '{ resource.service.name = "payment" && status = error }', limit: '100000',
        start: String(now - 3600), end: String(now + 60) })}`;
      const search = async () => {
        const res = await httpGet(`${srv.httpUrl}${searchPath}`);
        assert.equal(res.status, 200, srv.describe(`${searchPath}: ${res.body.toString().slice(0, 500)}`));
        return JSON.parse(res.body.toString()).traces.map((tr) => tr.traceID).sort();
      };
      const cold = await search();
      assert.ok(cold.length > 0, srv.describe(`${searchPath}: no trace found`));
      const hitsBefore = await metric(srv, 'tracehouse_block_column_cache_hits_total');
      const warm = await search();
      assert.deepEqual(warm, cold, srv.describe('a repeated search found other traces'));
      const hitsAfter = await metric(srv, 'tracehouse_block_column_cache_hits_total');
      assert.ok(hitsAfter > hitsBefore, srv.describe(`column cache hits ${hitsBefore} -> ${hitsAfter}`));
      t.diagnostic(`search: ${cold.length} traces, column cache hits ${hitsBefore} -> ${hitsAfter}`);
      assert.equal((await srv.stop()).code, 0, srv.describe('SIGTERM'));

      // 3. Wrong credentials on a fresh data dir: ready, accepting, a clear error, spans served
      // from the head and never flushed.
      const dataC = path.join(workDir, 'data-c');
      srv = await startServer({ dataDir: dataC, extraArgs: ['--config', badConfig] });
      const second = await runLoadgen(srv, acks2, 2000, 'wrong credentials');
      const deadline = Date.now() + ERROR_WAIT_MS;
      while (!/SignatureDoesNotMatch/.test(srv.stderr()) && Date.now() < deadline) await sleep(200);
      assert.match(srv.stderr(), /SignatureDoesNotMatch/, srv.describe('no credentials error logged'));
      assert.match(srv.stderr(), /PERMISSION_DENIED/, srv.describe('the error does not say permission denied'));
      n = await verify(srv, second, 'wrong credentials, read from the head');
      assert.ok(await metric(srv, 'tracehouse_head_spans') > 0, srv.describe('the head was emptied'));
      // The catalog never loaded: no block gauge yet, or 0.
      assert.ok(((await metric(srv, 'tracehouse_store_blocks')) ?? 0) === 0, srv.describe('blocks visible'));
      assert.ok(srv.running, srv.describe('serve exited'));
      t.diagnostic(`wrong credentials: ${n} traces acked and served from the head (${elapsed()})`);
      assert.equal((await srv.stop()).code, 0, srv.describe('SIGTERM'));

      // 4. Good credentials on the same data dir: the WAL is replayed and flushed to S3.
      srv = await startServer({ dataDir: dataC, extraArgs: ['--config', goodConfig] });
      await waitFlushed(srv, 'good credentials after wrong ones');
      n = await verify(srv, [...first, ...second], 'after the flush with good credentials');
      assert.doesNotMatch(srv.stderr(), /SignatureDoesNotMatch/);
      t.diagnostic(`good credentials again: all ${n} traces read back from S3 (${elapsed()})`);
      assert.equal((await srv.stop()).code, 0, srv.describe('SIGTERM'));
      srv = null;
    } finally {
      if (srv) await srv.kill();
      if (s3Started) await s3Script('stop', s3Dir, 60_000).catch((e) => t.diagnostic(e.message));
      await removeDir(workDir);
    }
  });
