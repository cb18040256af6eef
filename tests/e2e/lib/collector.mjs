// Helpers for `tracehouse collector` in end-to-end tests: write a config to a temp file, start the
// collector, wait until it says it is ready, read its /metrics.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { makeTempDir, removeDir, startTool } from './server.mjs';

const READY_TIMEOUT_MS = 20_000;

export class Collector {
  constructor(tool, dir) {
    this.tool = tool;
    this.dir = dir;
    this._stderr = '';
    tool.child.stderr.on('data', (d) => { this._stderr += d; });
  }

  get pid() { return this.tool.child.pid; }
  get running() { return this.tool.child.exitCode === null && this.tool.child.signalCode === null; }
  stderr() { return this._stderr; }
  describe(msg = '') {
    const tail = this._stderr.trimEnd().split('\n').slice(-40).join('\n');
    return `${msg}\n--- tracehouse collector (pid ${this.pid}) stderr tail ---\n${tail}\n---`;
  }

  /** SIGTERM and wait; returns {code, signal, ...}. */
  async stop() {
    if (this.running) this.tool.child.kill('SIGTERM');
    const r = await this.tool.done;
    await removeDir(this.dir);
    return r;
  }

  /** Resident set size in bytes, from /proc. */
  async rssBytes() {
    const status = await fs.readFile(`/proc/${this.pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  }
}

/** Starts `tracehouse collector --config <yaml>`; resolves once it logged that it is ready. */
export async function startCollector(yaml, { args = [], env } = {}) {
  const dir = await makeTempDir('tracehouse-collector-');
  const file = path.join(dir, 'collector.yaml');
  await fs.writeFile(file, yaml);
  const tool = startTool(['collector', '--config', file, '--data-dir', dir, ...args],
    { timeoutMs: 600_000, env });
  const c = new Collector(tool, dir);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!c.stderr().includes('tracehouse collector is ready')) {
    if (!c.running) {
      const r = await tool.done;
      assert.fail(c.describe(`collector exited before it was ready: ${JSON.stringify({ code: r.code, signal: r.signal })}`));
    }
    if (Date.now() > deadline) assert.fail(c.describe('collector not ready in time'));
    await sleep(50);
  }
  return c;
}

/** The value of one Prometheus series (first line starting with `series`), or undefined. */
export function metricValue(text, series) {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Sum of every series of metric `name` whose labels include all `labels` ({k: v}). */
export function metricSum(text, name, labels = {}) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
