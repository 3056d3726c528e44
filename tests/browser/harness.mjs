// Shared by the end-to-end login tests: the tenant they run against, `tokenbench serve` as a child process,
// named steps with time limits, and a runner that always cleans up and prints what the server logged when
// something fails.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API = 'https://api.demo.local/';
export const ALICE = { sub: 'auth0|alice', email: 'alice@demo.local' };
// The client the openid-client test logs in with; its callback is never contacted, only read from Location.
export const NODE_RP = { clientId: 'node-rp', redirectUri: 'http://127.0.0.1:9/cb' };
export const SPA_CLIENT_ID = 'browser-spa';

const STEP_TIMEOUT_MS = 20_000;
const STARTUP_TIMEOUT_MS = 15_000;
const KEPT_LINES = 300;

// The demo tenant plus the two login clients. `appOrigin` is the SPA's origin (`http://127.0.0.1:PORT`), or
// undefined when no SPA runs. Alice's password comes from the environment so it never sits in the file.
export function tenant(appOrigin) {
  const t = JSON.parse(readFileSync(join(REPO, 'assets', 'demo-tenant.json'), 'utf8'));
  const alice = t.users.find((u) => u.user_id === ALICE.sub);
  if (!alice) throw new Error(`the demo tenant has no user ${ALICE.sub}`);
  alice.password = { env: 'ALICE_PASSWORD' };
  const api = t.resource_servers.find((r) => r.identifier === API);
  if (!api) throw new Error(`the demo tenant has no resource server ${API}`);
  api.allow_offline_access = true;
  if (appOrigin) {
    t.clients.push({
      client_id: SPA_CLIENT_ID,
      name: 'Browser SPA',
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      client_secret: { generate: true },
      jwt_configuration: { alg: 'RS256' },
      grant_types: ['authorization_code', 'refresh_token'],
      callbacks: [`${appOrigin}/`],
      web_origins: [appOrigin],
      allowed_logout_urls: [`${appOrigin}/`],
    });
    t.client_grants.push({ client_id: SPA_CLIENT_ID, audience: API, scope: ['read:messages'] });
  }
  t.clients.push({
    client_id: NODE_RP.clientId,
    name: 'Node relying party',
    app_type: 'regular_web',
    token_endpoint_auth_method: 'none',
    client_secret: { generate: true },
    jwt_configuration: { alg: 'RS256' },
    grant_types: ['authorization_code'],
    callbacks: [NODE_RP.redirectUri],
  });
  return t;
}

// A password no test could guess by accident.
export function randomPassword() {
  return `Pw-${randomBytes(12).toString('base64url')}`;
}

// Keeps the last lines of a stream of text lines.
export class Lines {
  constructor(limit = KEPT_LINES) {
    this.limit = limit;
    this.lines = [];
    this.dropped = 0;
  }
  push(line) {
    this.lines.push(line);
    if (this.lines.length > this.limit) {
      this.lines.shift();
      this.dropped += 1;
    }
  }
  text() {
    const head = this.dropped ? [`(${this.dropped} earlier lines left out)`] : [];
    return [...head, ...this.lines].join('\n') || '(nothing)';
  }
}

// Writes the tenant into a fresh temporary directory and starts `tokenbench serve --port 0` on it, with
// Alice's password in its environment, plus `args` on its command line and `env` in its environment.
// Resolves once the "listening" line names the base URL.
export async function startIssuer(run, tenantJson, alicePassword, { args = [], env: extraEnv = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tokenbench-browser-'));
  run.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const tenantPath = join(dir, 'tenant.json');
  writeFileSync(tenantPath, JSON.stringify(tenantJson, null, 2));

  const bin = process.env.TOKENBENCH_BIN || join(REPO, 'target', 'debug', 'tokenbench');
  const env = { ...process.env, ...extraEnv, ALICE_PASSWORD: alicePassword };
  // Generated secrets stay in the process: no keyring is reachable, so a test run never writes to one.
  env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent';
  delete env.RUST_LOG;
  const child = spawn(bin, ['serve', '--port', '0', '--tenant', tenantPath, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = new Lines();
  // The log's colour codes would only garble the failure report.
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line.replace(/\x1b\[[0-9;]*m/g, '')));
  run.addDiagnostics('tokenbench serve, standard error', () => stderr.text());
  run.onCleanup(() => stopChild(child));
  // Last resort when the test process ends without its cleanups (an uncaught error in a callback).
  process.once('exit', () => child.kill('SIGKILL'));

  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${bin} printed no "listening on" line within ${STARTUP_TIMEOUT_MS / 1000} s`)),
      STARTUP_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/?\s*$/.exec(line);
      if (match) resolveUrl(match[1]);
      else reject(new Error(`unexpected first line from ${bin}: ${JSON.stringify(line)}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${e.message} (set TOKENBENCH_BIN or run cargo build)`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited during startup (code ${code}, signal ${signal})`));
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', (code, signal) => {
    if (!run.finished) stderr.push(`(tokenbench serve exited early: code ${code}, signal ${signal})`);
  });
  return { url, child, tenantPath };
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

// `promise`, or a rejection with `message` after `ms`.
export function within(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Failure(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Thrown for a failed expectation; the message says what was expected and what came instead.
export class Failure extends Error {}

export function check(condition, message) {
  if (!condition) throw new Failure(typeof message === 'function' ? message() : message);
}

export function equal(actual, expected, what) {
  check(
    actual === expected,
    () => `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

// Runs `main(run)` with numbered, time-limited steps; exits 0 when it returns, 1 with the failing step, its
// error and every diagnostic section otherwise. Cleanups run in reverse order in every case, including
// SIGINT/SIGTERM/SIGHUP, so neither the server nor the browser outlives the test.
export async function runTest(title, main) {
  const cleanups = [];
  const diagnostics = [];
  let current = 'before the first step';
  let number = 0;
  let inStep = false;
  const notes = [];
  const run = {
    finished: false,
    onCleanup: (fn) => cleanups.push(fn),
    addDiagnostics: (name, fn) => diagnostics.push({ name, fn }),
    async step(name, fn, timeoutMs = STEP_TIMEOUT_MS) {
      number += 1;
      current = `at step ${number}. ${name}`;
      const started = Date.now();
      process.stdout.write(`step ${number}. ${name} ... `);
      inStep = true;
      try {
        const value = await within(fn(), timeoutMs, `step "${name}" did not finish within ${timeoutMs / 1000} s`);
        process.stdout.write(`ok (${Date.now() - started} ms)\n`);
        current = `after step ${number}. ${name}`;
        return value;
      } catch (e) {
        process.stdout.write('FAILED\n');
        throw e;
      } finally {
        inStep = false;
        for (const text of notes.splice(0)) process.stdout.write(`    ${text}\n`);
      }
    },
    // A line of information, printed under the current step once it ends.
    note(text) {
      if (inStep) notes.push(text);
      else process.stdout.write(`    ${text}\n`);
    },
  };

  let cleaning;
  let interrupted = null;
  const cleanup = () => {
    cleaning ??= (async () => {
      run.finished = true;
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (e) {
          process.stderr.write(`cleanup: ${e?.message ?? e}\n`);
        }
      }
    })();
    return cleaning;
  };
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.once(signal, () => {
      interrupted = signal;
      process.stderr.write(`\n${title}: ${signal} ${current}; stopping the server and browser\n`);
      cleanup().finally(() => process.exit(status));
    });
  }

  // A wait that a failed step left behind rejects later, when the page closes; it must neither end the
  // process before the report is printed nor hide in it.
  const late = new Lines(20);
  process.on('unhandledRejection', (e) => late.push(String(e?.message ?? e).split('\n')[0]));
  diagnostics.push({ name: 'abandoned waits that failed', fn: () => (late.lines.length ? late.text() : null) });

  console.log(`${title}`);
  let status = 0;
  try {
    await main(run);
    console.log(`${title}: all ${number} steps passed`);
  } catch (e) {
    status = 1;
    // The signal handler's cleanup made this step fail; it has said why and sets the exit status.
    if (interrupted) return;
    const kind = e instanceof Failure ? '' : `${e?.name ?? 'Error'}: `;
    const lines = [`\n${title}: FAILED ${current}`, `  ${kind}${e?.message ?? e}`];
    if (!(e instanceof Failure) && e?.stack) lines.push(e.stack.split('\n').slice(1, 6).join('\n'));
    for (const { name, fn } of diagnostics) {
      let text;
      try {
        text = await within(fn(), 5_000, 'took longer than 5 s');
      } catch (err) {
        text = `(unavailable: ${err?.message ?? err})`;
      }
      if (text !== null) lines.push(`\n--- ${name} ---\n${text}`);
    }
    // Playwright colours its call logs even when nobody reads them on a terminal.
    console.error(lines.join('\n').replace(/\x1b\[[0-9;]*m/g, ''));
  } finally {
    await cleanup();
  }
  process.exit(status);
}
