// A single-page app built on Auth0's own SPA SDK (@auth0/auth0-spa-js) logs in against the local issuer in a
// real headless Chromium: loginWithRedirect, the issuer's login page (a wrong password first, then the right
// one), handleRedirectCallback, getUser, getTokenSilently through the hidden web_message iframe (the access
// token verified against the issuer's JWKS), logout, and getTokenSilently failing with login_required after.
//
// Usage: node tests/browser/spa-login.mjs   (TOKENBENCH_BIN names the binary, default target/debug/tokenbench;
// CHROMIUM names the browser, default /usr/bin/chromium)

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  ALICE,
  API,
  Failure,
  Lines,
  REPO,
  SPA_CLIENT_ID,
  check,
  equal,
  randomPassword,
  runTest,
  startIssuer,
  tenant,
  within,
} from './harness.mjs';

const SCOPE = 'openid profile email read:messages';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium phones home at start, and here those connections are refused.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Loopback only: a proxy from the environment must not see (or break) these requests.
  '--no-proxy-server',
  // Cookies are encrypted with a fixed key instead of one kept in the session's keyring.
  '--password-store=basic',
];
const HERE = join(REPO, 'tests', 'browser');
const SDK = join(HERE, 'node_modules', '@auth0', 'auth0-spa-js', 'dist', 'auth0-spa-js.production.js');

// Serves the test app: index.html at `/` (whatever the query), its config, and the SDK's UMD build.
async function startApp(run, configFor) {
  const [index, sdk] = await Promise.all([readFile(join(HERE, 'app', 'index.html')), readFile(SDK)]);
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://app.invalid');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') send(405, 'text/plain', 'method not allowed');
    else if (pathname === '/') send(200, 'text/html; charset=utf-8', index);
    else if (pathname === '/config.js')
      send(200, 'text/javascript', `window.TOKENBENCH_TEST = ${JSON.stringify(configFor())};\n`);
    else if (pathname === '/auth0-spa-js.production.js') send(200, 'text/javascript', sdk);
    else if (pathname === '/favicon.ico') send(204, 'image/x-icon', '');
    else send(404, 'text/plain', 'not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  run.onCleanup(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${server.address().port}`;
}

// Calls `window.app[name](arg)` in the page and returns its { ok, value | error } result.
function app(page, name, arg) {
  return page.evaluate(([n, a]) => window.app[n](a), [name, arg]);
}

async function appValue(page, name, arg) {
  const result = await app(page, name, arg);
  const args = arg === undefined ? '' : JSON.stringify(arg);
  check(result.ok, () => `app.${name}(${args}) failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

// Waits for the app to load and its Auth0 client to be created.
async function appReady(page, origin) {
  await page.waitForFunction(() => typeof window.app === 'object', undefined, { timeout: 10_000 });
  equal(new URL(page.url()).origin, origin, 'the page origin');
  await appValue(page, 'ready');
}

function isPath(response, origin, pathname, method = 'GET') {
  const url = new URL(response.url());
  return url.origin === origin && url.pathname === pathname && response.request().method() === method;
}

function describeResponse(response) {
  const location = response.headers().location;
  const request = `${response.request().method()} ${response.url()}`;
  return `${request} -> ${response.status()}${location ? ` Location: ${location}` : ''}`;
}

// Fails a step whose redirect never reached `path`, with the error the app caught, if any.
async function navigationFailed(page, call, path, error) {
  const caught = await page.evaluate(() => window.app?.lastError?.() ?? null).catch(() => null);
  const why = error.message.split('\n')[0];
  throw new Failure(`no ${path} response after ${call} (${why}); the app caught: ${JSON.stringify(caught)}`);
}

async function pageText(page) {
  return within(
    page.evaluate(() => document.body?.innerText ?? ''),
    3_000,
    'the page did not answer',
  ).catch((e) => `(${e.message})`);
}

await runTest('SPA login with @auth0/auth0-spa-js in Chromium', async (run) => {
  const password = randomPassword();
  let issuerUrl;
  const appOrigin = await run.step('start the app server', () =>
    startApp(run, () => ({ issuer: issuerUrl, clientId: SPA_CLIENT_ID, audience: API, scope: SCOPE })),
  );
  run.note(`app ${appOrigin}`);
  const issuer = await run.step('start tokenbench serve', () => startIssuer(run, tenant(appOrigin), password));
  issuerUrl = issuer.url;
  run.note(`issuer ${issuerUrl}`);

  const { context, page } = await run.step('launch Chromium', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // The test's own handlers close the browser and the server, whatever the signal.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    run.onCleanup(() => browser.close());
    run.note(`Chromium ${browser.version()}`);
    const context = await browser.newContext();
    return { context, page: await context.newPage() };
  });
  page.setDefaultTimeout(10_000);

  const consoleLines = new Lines();
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.location().url ?? ''} ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  run.addDiagnostics('browser console', () => consoleLines.text());
  const requests = [];
  const requestLines = new Lines();
  context.on('response', (r) => {
    const frame = r.request().frame();
    const where = frame === page.mainFrame() ? 'page' : 'iframe';
    requests.push({ url: new URL(r.url()), status: r.status(), where, method: r.request().method() });
    requestLines.push(`${where}: ${describeResponse(r)}`);
  });
  context.on('requestfailed', (r) => requestLines.push(`FAILED ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  run.addDiagnostics('browser requests', () => requestLines.text());
  run.addDiagnostics('current page', async () => `${page.url()}\n${await pageText(page)}`);

  await run.step('open the app', async () => {
    await page.goto(`${appOrigin}/`);
    await appReady(page, appOrigin);
    equal(await appValue(page, 'isAuthenticated'), false, 'isAuthenticated before login');
  });

  await run.step('loginWithRedirect lands on the login page', async () => {
    const authorize = page.waitForResponse((r) => isPath(r, issuerUrl, '/authorize'));
    await app(page, 'login');
    const response = await authorize.catch((e) => navigationFailed(page, 'loginWithRedirect', '/authorize', e));
    equal(response.status(), 302, `GET /authorize without a session (${describeResponse(response)})`);
    const location = new URL(response.headers().location ?? '', response.url());
    check(
      location.origin === issuerUrl && location.pathname === '/u/login' && location.searchParams.get('state'),
      () => `GET /authorize should redirect to /u/login?state=…: ${describeResponse(response)}`,
    );
    await page.waitForURL((u) => u.origin === issuerUrl && u.pathname === '/u/login');
  });

  await run.step('a wrong password shows the error and keeps the username', async () => {
    const wrong = randomPassword();
    await page.getByLabel('Email or username', { exact: true }).fill(ALICE.email);
    await page.getByLabel('Password', { exact: true }).fill(wrong);
    const posted = page.waitForResponse((r) => isPath(r, issuerUrl, '/u/login', 'POST'));
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    const response = await posted;
    equal(response.status(), 400, `the login post with a wrong password (Auth0 answers 400 and shows the page again) (${describeResponse(response)})`);
    const body = await response.text();
    check(!body.includes(wrong), 'the page answering a wrong password contains that password');
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 5_000 }).catch(async () => {
      throw new Failure(`no role="alert" element after a wrong password; the page says:\n${await pageText(page)}`);
    });
    equal((await alert.textContent())?.trim(), 'Wrong email or password.', 'the alert text');
    equal(await page.locator('#error').count(), 1, 'elements with id="error"');
    equal(await page.getByLabel('Email or username', { exact: true }).inputValue(), ALICE.email, 'the username field');
    check(new URL(page.url()).origin === issuerUrl, () => `left the login page: ${page.url()}`);
  });

  await run.step('the right password (Enter) returns to the app with a code', async () => {
    await page.getByLabel('Password', { exact: true }).fill(password);
    const posted = page.waitForResponse((r) => isPath(r, issuerUrl, '/u/login', 'POST'));
    await page.getByLabel('Password', { exact: true }).press('Enter');
    const response = await posted;
    equal(response.status(), 302, `the login post (${describeResponse(response)})`);
    await page.waitForURL((u) => u.origin === appOrigin && u.pathname === '/' && u.searchParams.has('code'));
    const url = new URL(page.url());
    check(url.searchParams.get('state'), () => `no state in the callback URL ${url}`);
  });

  await run.step('the issuer set its session cookie', async () => {
    const cookie = (await context.cookies(issuerUrl)).find((c) => c.name === 'auth0');
    check(cookie, () => `no "auth0" cookie for ${issuerUrl}`);
    equal(cookie.httpOnly, true, 'auth0 cookie HttpOnly');
    equal(cookie.sameSite, 'Lax', 'auth0 cookie SameSite');
    equal(cookie.path, '/', 'auth0 cookie Path');
    equal(cookie.secure, false, 'auth0 cookie Secure');
  });

  await run.step('handleRedirectCallback', async () => {
    await appReady(page, appOrigin);
    await appValue(page, 'handleCallback');
    equal(await appValue(page, 'isAuthenticated'), true, 'isAuthenticated after the callback');
  });

  await run.step('getUser is Alice', async () => {
    const user = await appValue(page, 'getUser');
    check(user, 'getUser returned nothing');
    equal(user.sub, ALICE.sub, 'getUser().sub');
    run.note(`user: ${JSON.stringify(user)}`);
  });

  await run.step('getTokenSilently (web_message iframe) gives a verifiable API token', async () => {
    const before = requests.length;
    const token = await appValue(page, 'getToken', { cacheMode: 'off' });
    const silent = requests
      .slice(before)
      .find(
        (r) =>
          r.where === 'iframe' &&
          r.url.origin === issuerUrl &&
          r.url.pathname === '/authorize' &&
          r.url.searchParams.get('prompt') === 'none' &&
          r.url.searchParams.get('response_mode') === 'web_message',
      );
    check(silent, 'getTokenSilently made no /authorize?prompt=none&response_mode=web_message request from an iframe');
    equal(silent.status, 200, 'the web_message /authorize status');
    check(typeof token === 'string', () => `getTokenSilently returned ${JSON.stringify(token)}`);
    const claims = decodeJwt(token);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    check(audiences.includes(API), () => `the access token aud ${JSON.stringify(claims.aud)} does not include ${API}`);
    // With the openid scope, Auth0 adds its /userinfo endpoint as the second audience.
    equal(JSON.stringify(claims.aud), JSON.stringify([API, `${issuerUrl}/userinfo`]), 'the access token aud');
    equal(claims.sub, ALICE.sub, 'the access token sub');
    const scopes = String(claims.scope ?? '').split(' ');
    check(
      scopes.includes('read:messages'),
      () => `the access token scope ${JSON.stringify(claims.scope)} lacks read:messages`,
    );
    const jwks = createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`));
    const { protectedHeader } = await jwtVerify(token, jwks, {
      issuer: `${issuerUrl}/`,
      audience: API,
      algorithms: ['RS256'],
    });
    run.note(`access token: alg ${protectedHeader.alg}, aud ${JSON.stringify(claims.aud)}, scope "${claims.scope}"`);
  });

  await run.step('logout returns to the app', async () => {
    const loggedOut = page.waitForResponse((r) => isPath(r, issuerUrl, '/v2/logout'));
    const loaded = page.waitForEvent('load');
    await app(page, 'logout');
    const response = await loggedOut.catch((e) => navigationFailed(page, 'logout', '/v2/logout', e));
    const url = new URL(response.url());
    equal(url.searchParams.get('client_id'), SPA_CLIENT_ID, '/v2/logout client_id');
    equal(url.searchParams.get('returnTo'), `${appOrigin}/`, '/v2/logout returnTo');
    equal(response.status(), 302, `GET /v2/logout (${describeResponse(response)})`);
    equal(response.headers().location, `${appOrigin}/`, '/v2/logout Location');
    await loaded;
    equal(page.url(), `${appOrigin}/`, 'the page after logout');
    await appReady(page, appOrigin);
  });

  await run.step('after logout getTokenSilently fails with login_required', async () => {
    const before = requests.length;
    const result = await app(page, 'getToken', { cacheMode: 'off' });
    check(
      !result.ok,
      () => `getTokenSilently still gave a token after logout: ${String(result.value).slice(0, 40)}…`,
    );
    equal(result.error.error, 'login_required', `the error (${JSON.stringify(result.error)})`);
    const silent = requests
      .slice(before)
      .find((r) => r.where === 'iframe' && r.url.origin === issuerUrl && r.url.pathname === '/authorize');
    check(silent, 'the login_required did not come from an /authorize request in an iframe');
  });
});
