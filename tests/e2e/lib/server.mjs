// Helpers for the end-to-end tests: run the real `tracehouse` binary on free loopback ports.
//
//   const srv = await startServer();            // fresh temp data dir, waits for /ready
//   await fetch(`${srv.httpUrl}/api/echo`);
//   await srv.stop();                           // SIGTERM, waits, returns {code, signal}
//   await srv.cleanup();                        // removes the data dir if we created it
//
// Every child process started here is registered and SIGKILLed when the test process exits, so
// a failed assertion never leaves a server or loadgen behind.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PROTO_DIR = path.join(REPO_ROOT, 'proto');
const DEFAULT_BIN = path.join(REPO_ROOT, 'build/dev/src/app/tracehouse');

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const STDERR_KEEP = 256 * 1024;

/** Path of the binary under test: $TRACEHOUSE_BIN, else the dev build. Throws if missing. */
export function binPath() {
  const bin = process.env.TRACEHOUSE_BIN || DEFAULT_BIN;
  if (!existsSync(bin)) {
    throw new Error(`tracehouse binary not found at ${bin} (set TRACEHOUSE_BIN)`);
  }
  return bin;
}

// ---- child-process registry: nothing outlives the test process --------------------------------

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Resolves with {code, signal} once the child has exited (immediately if it already has). */
export function waitExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** waitExit with a deadline; returns null on timeout. */
export async function waitExitWithin(child, ms) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  try {
    return await Promise.race([waitExit(child), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- ports -------------------------------------------------------------------------------------

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** n distinct free ports: all listeners are held open together so the kernel cannot hand out one twice. */
export async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      srv.unref();
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
      servers.push(srv);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

// ---- temp dirs ---------------------------------------------------------------------------------

export async function makeTempDir(prefix = 'tracehouse-e2e-') {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir) {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}

// ---- the server --------------------------------------------------------------------------------

class Server {
  constructor({ child, dataDir, ownsDataDir, ports, args }) {
    this.child = child;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.args = args;
    this.httpPort = ports.http;
    this.grpcPort = ports.grpc;
    this.otlpHttpPort = ports.otlpHttp;
    this.httpUrl = `http://127.0.0.1:${ports.http}`;
    this.otlpHttpUrl = `http://127.0.0.1:${ports.otlpHttp}`;
    this.grpcAddress = `127.0.0.1:${ports.grpc}`;
    this._stderr = '';
    this._stdout = '';
    child.stderr.setEncoding('utf8');
    child.stdout.setEncoding('utf8');
    child.stderr.on('data', (d) => { this._stderr = keepTail(this._stderr + d); });
    child.stdout.on('data', (d) => { this._stdout = keepTail(this._stdout + d); });
    this.exited = waitExit(child);
  }

  get pid() { return this.child.pid; }
  get running() { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Everything the server wrote to stderr so far (the last 256 KiB). */
  stderr() { return this._stderr; }
  stdout() { return this._stdout; }

  /** Last `n` lines of stderr, for assertion messages. */
  stderrTail(n = 40) {
    const lines = this._stderr.trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  }

  /** Decorates an assertion message with the server's recent stderr. */
  describe(msg = '') {
    return `${msg}\n--- tracehouse serve (pid ${this.pid}, data ${this.dataDir}) stderr tail ---\n${this.stderrTail()}\n---`;
  }

  /** Graceful stop: SIGTERM, wait up to 15 s, then SIGKILL. Returns {code, signal, killed}. */
  async stop(timeoutMs = STOP_TIMEOUT_MS) {
    if (!this.running) return { ...(await this.exited), killed: false };
    this.child.kill('SIGTERM');
    const r = await waitExitWithin(this.child, timeoutMs);
    if (r) return { ...r, killed: false };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }

  /** kill -9; resolves when the process is gone. */
  async kill() {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Removes the data dir if startServer created it. Kills the process first if still running. */
  async cleanup() {
    await this.kill();
    if (this.ownsDataDir) await removeDir(this.dataDir);
  }
}

function keepTail(s) {
  return s.length > STDERR_KEEP ? s.slice(s.length - STDERR_KEEP) : s;
}

/**
 * Starts `tracehouse serve` on three free loopback ports and waits for GET /ready → 200.
 * opts.dataDir: use this directory (kept on cleanup); default a fresh temp dir (removed on cleanup).
 * opts.extraArgs: appended to the command line.
 */
export async function startServer(opts = {}) {
  const bin = binPath();
  const ownsDataDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await makeTempDir());
  let lastError;
  // A port can be taken between freePorts() and the server's bind; retry with new ports then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [http, grpc, otlpHttp] = await freePorts(3);
    const ports = { http, grpc, otlpHttp };
    const args = [
      'serve',
      '--data-dir', dataDir,
      '--http-listen-address', `127.0.0.1:${http}`,
      '--otlp-grpc-address', `127.0.0.1:${grpc}`,
      '--otlp-http-address', `127.0.0.1:${otlpHttp}`,
      // Jaeger and Zipkin listen on fixed ports by default; tests that need them pass addresses
      // in extraArgs (later flags win), so parallel servers never collide.
      '--jaeger-thrift-http-address', '', '--jaeger-grpc-address', '',
      '--jaeger-thrift-compact-address', '', '--jaeger-thrift-binary-address', '',
      '--zipkin-address', '',
      ...(opts.extraArgs ?? []),
    ];
    const child = track(spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(opts.env ?? {}) },
    }));
    const srv = new Server({ child, dataDir, ownsDataDir, ports, args });
    try {
      await waitReady(srv, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
      return srv;
    } catch (err) {
      lastError = err;
      await srv.kill();
      const bindFailure = /address already in use|EADDRINUSE|bind/i.test(srv.stderr());
      if (!bindFailure) break;
    }
  }
  if (ownsDataDir) await removeDir(dataDir);
  throw lastError;
}

async function waitReady(srv, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastStatus = 'no answer';
  while (Date.now() < deadline) {
    if (!srv.running) {
      const { code, signal } = await srv.exited;
      throw new Error(srv.describe(
        `tracehouse serve exited before ready (code ${code}, signal ${signal}); args: ${srv.args.join(' ')}`));
    }
    try {
      const res = await fetch(`${srv.httpUrl}/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      lastStatus = `HTTP ${res.status}`;
    } catch (err) {
      lastStatus = err.cause?.code ?? err.message;
    }
    await sleep(100);
  }
  throw new Error(srv.describe(`tracehouse serve not ready after ${timeoutMs} ms (last /ready: ${lastStatus})`));
}

// ---- other subcommands (loadgen) ---------------------------------------------------------------

/**
 * Runs `tracehouse <args>` to completion, killing it (SIGKILL) after timeoutMs.
 * Resolves {code, signal, stdout, stderr, timedOut}.
 */
export function runTool(args, opts = {}) {
  return startTool(args, opts).done;
}

/** Starts `tracehouse <args>` without waiting; returns {child, done} where done resolves like runTool. */
export function startTool(args, { timeoutMs = 60_000, env } = {}) {
  const child = track(spawn(binPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(env ?? {}) },
  }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { stdout = keepTail(stdout + d); });
  child.stderr.on('data', (d) => { stderr = keepTail(stderr + d); });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const done = (async () => {
    let timedOut = false;
    const r = await waitExitWithin(child, timeoutMs);
    if (!r) {
      timedOut = true;
      child.kill('SIGKILL');
    }
    const { code, signal } = await waitExit(child);
    await closed;
    return { code, signal, stdout, stderr, timedOut };
  })();
  return { child, done, kill: () => { try { child.kill('SIGKILL'); } catch { /* gone */ } } };
}

// ---- HTTP helpers ------------------------------------------------------------------------------

/** GET url; returns {status, headers, body: Buffer}. Never throws on HTTP status. */
export async function httpGet(url, headers = {}, timeoutMs = 10_000) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}
