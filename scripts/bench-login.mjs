#!/usr/bin/env node
// Load generator for the local issuer's browser login, used by scripts/bench-issuer (oha cannot follow a
// multi-step flow). Each virtual user owns one keep-alive HTTP/1.1 connection and its own `auth0` cookie,
// and runs complete logins back to back for a fixed time:
//
//   1. GET  /authorize (code + PKCE S256, prompt=login so a live session never skips the page) -> 302 /u/login
//   2. GET  /u/login?state=TXN                          -> 200, hidden inputs `state` and `csrf`
//   3. POST /u/login?state=TXN (username, password)     -> 302 to the callback with `code` and our `state`
//   4. POST /oauth/token grant_type=authorization_code  -> 200 with id_token and access_token
//
// Every answer is checked (status, Location, the state echoed back, both tokens present); the first login's
// two tokens are also verified against /.well-known/jwks.json and must be RS256. A wrong answer counts as an
// error and ends that login. The HTTP client is a few lines over `node:net` rather than `node:http`, so that
// the generator spends as little of the machine's CPU as it can: it shares the cores with the server.
//
// Usage: node scripts/bench-login.mjs --url http://127.0.0.1:PORT [--connections 16] [--duration 10]
//          [--warmup 1] [--client bench-spa] [--username alice@demo.local] [--callback http://127.0.0.1:3000/]
//          [--audience https://api.demo.local/] [--server-pid PID --clk-tck 100] [--out report.json]
// The password comes from the environment variable named by --password-env (default BENCH_LOGIN_PASSWORD).
// Prints one JSON report on stdout (and writes it to --out): logins/s, whole-login latency percentiles,
// per-step medians, errors, the generator's own CPU time and, with --server-pid, the server's over the same
// window, and the whole machine's (in cores: 1.0 is one core busy all the time).

import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';

const defaults = {
  url: '',
  connections: '16',
  duration: '10',
  warmup: '1',
  client: 'bench-spa',
  username: 'alice@demo.local',
  'password-env': 'BENCH_LOGIN_PASSWORD',
  callback: 'http://127.0.0.1:3000/',
  audience: 'https://api.demo.local/',
  scope: 'openid profile email read:messages',
  'server-pid': '',
  'clk-tck': '100',
  out: '',
};

function options(argv) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in o) || i + 1 >= argv.length) throw new Error(`unknown or incomplete option ${argv[i]}`);
    o[name] = argv[i + 1];
  }
  if (!o.url) throw new Error('--url is required');
  const password = process.env[o['password-env']];
  if (!password) throw new Error(`the password is read from $${o['password-env']}, which is empty`);
  return { ...o, password, connections: Number(o.connections), duration: Number(o.duration), warmup: Number(o.warmup) };
}

const CRLF2 = Buffer.from('\r\n\r\n');

// One keep-alive HTTP/1.1 connection; one request at a time. Understands Content-Length and chunked bodies.
class Connection {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    this.buffer = Buffer.alloc(0);
    this.pending = null;
    this.reconnects = -1;
  }

  open() {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      socket.once('connect', () => {
        this.reconnects += 1;
        resolve();
      });
      socket.once('error', reject);
      socket.on('data', (chunk) => this.data(chunk));
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null;
        this.fail(new Error('connection closed by the server'));
      });
      socket.on('error', (e) => this.fail(e));
      this.socket = socket;
      this.buffer = Buffer.alloc(0);
    });
  }

  fail(error) {
    const pending = this.pending;
    this.pending = null;
    if (pending) pending.reject(error);
  }

  async request(method, path, headers, body) {
    if (!this.socket) await this.open();
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(body === undefined ? head : head + body);
    });
  }

  data(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf(CRLF2);
    if (end < 0 || !this.pending) return;
    const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    const cookies = [];
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      const name = lines[i].slice(0, colon).toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      if (name === 'set-cookie') cookies.push(value);
      else headers[name] = value;
    }
    let body;
    let used;
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts = [];
      let at = end + 4;
      for (;;) {
        const lineEnd = this.buffer.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(this.buffer.toString('latin1', at, lineEnd), 16);
        if (this.buffer.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          used = lineEnd + 4;
          break;
        }
        parts.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      body = this.buffer.toString('utf8', end + 4, end + 4 + length);
      used = end + 4 + length;
    }
    this.buffer = this.buffer.subarray(used);
    const pending = this.pending;
    this.pending = null;
    if (headers.connection?.toLowerCase() === 'close') {
      const socket = this.socket;
      this.socket = null;
      socket?.destroy();
    }
    pending.resolve({ status, headers, cookies, body });
  }

  close() {
    this.socket?.destroy();
    this.socket = null;
  }
}

class Wrong extends Error {}

function expect(condition, what, answer) {
  if (!condition) {
    const detail = answer ? ` (status ${answer.status}, location ${answer.headers?.location}, body ${answer.body?.slice(0, 200)})` : '';
    throw new Wrong(`${what}${detail}`);
  }
}

function hidden(page, name) {
  const marker = `name="${name}" value="`;
  const start = page.indexOf(marker);
  if (start < 0) return null;
  const from = start + marker.length;
  return page.slice(from, page.indexOf('"', from));
}

const form = (pairs) => new URLSearchParams(pairs).toString();
const b64url = (buffer) => buffer.toString('base64url');

// A virtual user: one connection, one cookie jar (`auth0` only, the session cookie).
class User {
  constructor(o, id, url) {
    this.o = o;
    this.id = id;
    this.conn = new Connection(url.hostname, Number(url.port));
    this.cookie = null;
    this.n = 0;
    // One PKCE pair per user; every code is single use, so repeating the challenge is harmless.
    this.verifier = b64url(createHash('sha256').update(`verifier-${id}-${process.pid}`).digest()) + 'xyz';
    this.challenge = b64url(createHash('sha256').update(this.verifier).digest());
    // The parts of every request that never change, encoded once.
    this.authorize = `/authorize?${form({
      client_id: o.client,
      response_type: 'code',
      redirect_uri: o.callback,
      scope: o.scope,
      audience: o.audience,
      code_challenge: this.challenge,
      code_challenge_method: 'S256',
      prompt: 'login',
    })}`;
    this.credentials = `&${form({ username: o.username, password: o.password, action: 'default' })}`;
    this.exchange = `${form({ grant_type: 'authorization_code', client_id: o.client, code_verifier: this.verifier, redirect_uri: o.callback })}&code=`;
  }

  async send(method, path, body) {
    const headers = {};
    if (this.cookie) headers.Cookie = `auth0=${this.cookie}`;
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const answer = await this.conn.request(method, path, headers, body);
    for (const c of answer.cookies) {
      if (c.startsWith('auth0=')) this.cookie = c.slice(6).split(';')[0] || null;
    }
    return answer;
  }

  // One complete login; the step times in ns, or throws.
  async login(steps) {
    const o = this.o;
    this.n += 1;
    const state = `s-${this.id}-${this.n}`;
    let t = process.hrtime.bigint();
    const lap = (i) => {
      const now = process.hrtime.bigint();
      steps[i] = Number(now - t);
      t = now;
    };
    const first = await this.send('GET', `${this.authorize}&state=${state}&nonce=n-${this.id}-${this.n}`);
    expect(first.status === 302 && first.headers.location?.startsWith('/u/login?state='), '/authorize did not send to the login page', first);
    const loginPath = first.headers.location;
    lap(0);
    const page = await this.send('GET', loginPath);
    const txn = hidden(page.body, 'state');
    const csrf = hidden(page.body, 'csrf');
    expect(page.status === 200 && txn && csrf, 'the login page has no state or csrf input', page);
    lap(1);
    const posted = await this.send('POST', loginPath, `${form({ state: txn, csrf })}${this.credentials}`);
    const location = posted.headers.location ?? '';
    expect(posted.status === 302 && location.startsWith(o.callback), 'the login post did not go back to the callback', posted);
    const back = new URLSearchParams(location.slice(location.indexOf('?') + 1));
    const code = back.get('code');
    expect(code && back.get('state') === state, 'the callback has no code or another state', posted);
    lap(2);
    const token = await this.send('POST', '/oauth/token', this.exchange + encodeURIComponent(code));
    expect(token.status === 200, '/oauth/token refused the code', token);
    const tokens = JSON.parse(token.body);
    expect(typeof tokens.id_token === 'string' && typeof tokens.access_token === 'string', 'no id_token or access_token', token);
    lap(3);
    return tokens;
  }
}

// Both tokens of one login verify against the JWKS with RS256 (the two signatures the ceiling counts).
async function verifyTokens(user, tokens) {
  const jwks = JSON.parse((await user.send('GET', '/.well-known/jwks.json')).body);
  for (const [name, jwt] of [
    ['id_token', tokens.id_token],
    ['access_token', tokens.access_token],
  ]) {
    const [h, p, s] = jwt.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    expect(header.alg === 'RS256', `the ${name} is ${header.alg}, not RS256`);
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    expect(jwk, `no JWKS key ${header.kid} for the ${name}`);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), `the ${name} signature does not verify`);
  }
}

// utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat; the name may hold spaces).
function cpuSeconds(pid, tck) {
  if (!pid) return null;
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / tck;
}

// Busy time of the whole machine, in seconds of one core (/proc/stat: all but idle and iowait).
function machineSeconds(tck) {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / tck;
}

function percentile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function main() {
  const o = options(process.argv.slice(2));
  const url = new URL(o.url);
  const users = Array.from({ length: o.connections }, (_, i) => new User(o, i, url));
  const probe = new User(o, 'probe', url);
  await verifyTokens(probe, await probe.login([]));
  probe.conn.close();

  const STEPS = ['authorize', 'login page', 'login post', 'token'];
  let measuring = false;
  let stop = false;
  const whole = [];
  const perStep = STEPS.map(() => []);
  const errors = new Map();
  let errorCount = 0;

  const loop = async (user) => {
    const steps = [0, 0, 0, 0];
    while (!stop) {
      const started = process.hrtime.bigint();
      const counted = measuring;
      try {
        await user.login(steps);
        const took = Number(process.hrtime.bigint() - started);
        if (counted && measuring) {
          whole.push(took);
          steps.forEach((v, i) => perStep[i].push(v));
        }
      } catch (e) {
        if (counted && measuring) errorCount += 1;
        const key = String(e.message).slice(0, 300);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        if (!(e instanceof Wrong)) {
          user.conn.close();
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
  };
  const running = users.map(loop);
  await new Promise((r) => setTimeout(r, o.warmup * 1000));
  const tck = Number(o['clk-tck']);
  const server0 = cpuSeconds(o['server-pid'], tck);
  const machine0 = machineSeconds(tck);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  measuring = true;
  await new Promise((r) => setTimeout(r, o.duration * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const server = server0 === null ? null : cpuSeconds(o['server-pid'], tck) - server0;
  const machine = machineSeconds(tck) - machine0;
  stop = true;
  await Promise.all(running);
  for (const u of users) u.conn.close();

  whole.sort((a, b) => a - b);
  const ms = (ns) => (ns === null ? null : ns / 1e6);
  const report = {
    connections: o.connections,
    duration_s: elapsed,
    warmup_s: o.warmup,
    client_id: o.client,
    logins: whole.length,
    logins_per_s: whole.length / elapsed,
    latency_ms: {
      p50: ms(percentile(whole, 0.5)),
      p95: ms(percentile(whole, 0.95)),
      p99: ms(percentile(whole, 0.99)),
      max: ms(whole.at(-1) ?? null),
      mean: ms(whole.reduce((a, b) => a + b, 0) / (whole.length || 1)),
    },
    step_p50_ms: Object.fromEntries(
      STEPS.map((name, i) => [name, ms(percentile(perStep[i].sort((a, b) => a - b), 0.5))]),
    ),
    errors: errorCount,
    error_kinds: Object.fromEntries(errors),
    reconnects: users.reduce((a, u) => a + Math.max(0, u.conn.reconnects), 0),
    generator_cpu_s: (cpu.user + cpu.system) / 1e6,
    generator_cpu_share: (cpu.user + cpu.system) / 1e6 / elapsed,
    server_cpu_s: server,
    server_cpu_share: server === null ? null : server / elapsed,
    machine_cpu_share: machine / elapsed,
  };
  const text = JSON.stringify(report, null, 1);
  if (o.out) writeFileSync(o.out, text);
  process.stdout.write(`${text}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench-login: ${e.message}\n`);
  process.exit(1);
});
