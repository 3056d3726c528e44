// The authorization code flow with PKCE as a standard relying party library (openid-client) runs it against
// the local issuer, with `fetch` standing in for the browser: discovery, /authorize, the login form (with its
// hidden state and csrf fields and the `auth0` session cookie), the callback, the code exchange and the ID
// token's claims and signature; then a replayed code, a login post with a tampered csrf value, and a code
// from the session (no login form) exchanged with the wrong PKCE verifier.
//
// Usage: node tests/browser/openid-client-flow.mjs   (TOKENBENCH_BIN names the binary; default
// target/debug/tokenbench)

import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  ALICE,
  Failure,
  NODE_RP,
  check,
  equal,
  randomPassword,
  runTest,
  startIssuer,
  tenant,
} from './harness.mjs';

const SCOPE = 'openid profile email';

// Cookies by name for one host, as a browser would keep them between requests.
class CookieJar {
  constructor() {
    this.cookies = new Map();
  }
  take(response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attrs = new Map(
        attributes.map((a) => {
          const i = a.indexOf('=');
          return i < 0 ? [a.trim().toLowerCase(), ''] : [a.slice(0, i).trim().toLowerCase(), a.slice(i + 1).trim()];
        }),
      );
      const expired =
        (attrs.has('max-age') && Number(attrs.get('max-age')) <= 0) ||
        (attrs.has('expires') && Date.parse(attrs.get('expires')) <= Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, header });
    }
  }
  header() {
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }
  raw(name) {
    return this.cookies.get(name)?.header;
  }
}

// One request as the browser would send it, without following redirects.
async function browserFetch(jar, url, init = {}) {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.take(response);
  const body = await response.text();
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location === null ? null : new URL(location, url),
    body,
    contentType: response.headers.get('content-type') ?? '',
    describe: () =>
      `${init.method ?? 'GET'} ${url} -> ${response.status}` +
      (location ? ` Location: ${location}` : '') +
      (body ? `\n      body: ${body.slice(0, 600)}` : ''),
  };
}

function decodeEntities(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;|&apos;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function attributes(tag) {
  const out = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of tag.replace(/^<\w+/, '').matchAll(re)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

// The login page's password form (the one with the username field; the page may hold others, such as the
// demo user picker's): where it posts and its hidden fields.
function loginForm(page, pageUrl) {
  const forms = [...page.body.matchAll(/(<form\b[^>]*>)([\s\S]*?)<\/form>/gi)];
  const inputs = (html) => [...html.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => attributes(tag));
  const match = forms.find(([, , inner]) => inputs(inner).some((a) => a.name === 'username'));
  check(match, () => `the login page has no <form> with a username field: ${page.describe()}`);
  const form = attributes(match[1]);
  equal((form.method ?? '').toLowerCase(), 'post', 'the login form method');
  const hidden = {};
  for (const a of inputs(match[2])) {
    if ((a.type ?? '').toLowerCase() === 'hidden' && a.name) hidden[a.name] = a.value ?? '';
  }
  for (const name of ['state', 'csrf']) {
    check(
      hidden[name],
      () => `the login form has no non-empty hidden "${name}" input; hidden inputs: ${JSON.stringify(hidden)}`,
    );
  }
  const action = form.action ? new URL(form.action, pageUrl) : new URL(pageUrl);
  return { action, hidden };
}

// GET /authorize without a session and follow the server's redirects to the login page.
async function openLoginPage(jar, authorizeUrl) {
  const first = await browserFetch(jar, authorizeUrl);
  equal(first.status, 302, `GET /authorize without a session (${first.describe()})`);
  check(
    first.location?.pathname === '/u/login' && first.location.searchParams.get('state'),
    () => `GET /authorize should redirect to /u/login?state=…: ${first.describe()}`,
  );
  equal(first.location.origin, new URL(authorizeUrl).origin, 'the login page origin');
  const page = await browserFetch(jar, first.location);
  equal(page.status, 200, `GET ${first.location} (${page.describe()})`);
  check(page.contentType.startsWith('text/html'), () => `the login page is not HTML: ${page.contentType}`);
  return { page, url: first.location };
}

function postForm(jar, action, fields) {
  return browserFetch(jar, action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin },
    body: new URLSearchParams(fields),
  });
}

function authorizationUrl(config, extra = {}) {
  return client.buildAuthorizationUrl(config, {
    redirect_uri: NODE_RP.redirectUri,
    scope: SCOPE,
    code_challenge_method: 'S256',
    ...extra,
  });
}

async function expectInvalidGrant(promise, what) {
  let error;
  try {
    const tokens = await promise;
    throw new Failure(`${what} was accepted: got tokens ${JSON.stringify(Object.keys(tokens))}`);
  } catch (e) {
    if (e instanceof Failure) throw e;
    error = e;
  }
  check(
    error instanceof client.ResponseBodyError,
    () => `${what}: expected an OAuth error response, got ${error?.name}: ${error?.message}`,
  );
  equal(error.error, 'invalid_grant', `${what}: the error code (status ${error.status}, "${error.error_description}")`);
  return error;
}

await runTest('openid-client authorization code flow', async (run) => {
  const password = randomPassword();
  const issuer = await run.step('start tokenbench serve', () => startIssuer(run, tenant(undefined), password));
  run.note(`issuer ${issuer.url}`);
  const issuerUrl = new URL(`${issuer.url}/`);

  const config = await run.step('discovery', () =>
    client.discovery(issuerUrl, NODE_RP.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    }),
  );
  const metadata = config.serverMetadata();
  equal(metadata.issuer, issuerUrl.href, 'discovery: issuer');
  equal(metadata.authorization_endpoint, `${issuer.url}/authorize`, 'discovery: authorization_endpoint');
  check(
    (metadata.code_challenge_methods_supported ?? []).includes('S256'),
    () =>
      'discovery: code_challenge_methods_supported should list S256: ' +
      JSON.stringify(metadata.code_challenge_methods_supported),
  );

  await run.step('a login post with a tampered csrf value gives no code', async () => {
    const jar = new CookieJar();
    const verifier = client.randomPKCECodeVerifier();
    const url = authorizationUrl(config, {
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      state: client.randomState(),
      nonce: client.randomNonce(),
    });
    const { page, url: pageUrl } = await openLoginPage(jar, url);
    const form = loginForm(page, pageUrl);
    const answer = await postForm(jar, form.action, {
      ...form.hidden,
      csrf: `${form.hidden.csrf}x`,
      username: ALICE.email,
      password,
      action: 'default',
    });
    const code = answer.location?.searchParams.get('code');
    check(!code, () => `the post was accepted and gave a code: ${answer.describe()}`);
    run.note(`refused: ${answer.status}${answer.location ? ` -> ${answer.location}` : ''}`);
    // Whatever cookies it set, they must not amount to a session: /authorize still asks for a login.
    const again = await browserFetch(
      jar,
      authorizationUrl(config, {
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        state: client.randomState(),
        nonce: client.randomNonce(),
      }),
    );
    check(
      again.status === 302 && again.location?.pathname === '/u/login',
      () => `after the refused post, /authorize should still redirect to the login page: ${again.describe()}`,
    );
  });

  const jar = new CookieJar();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizeUrl = authorizationUrl(config, {
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    state,
    nonce,
  });

  const { page, url: pageUrl } = await run.step('GET /authorize redirects to the login page', () =>
    openLoginPage(jar, authorizeUrl),
  );

  const callback = await run.step('post the login form with Alice\'s credentials', async () => {
    const form = loginForm(page, pageUrl);
    const answer = await postForm(jar, form.action, {
      ...form.hidden,
      username: ALICE.email,
      password,
      action: 'default',
    });
    equal(answer.status, 302, `the login post (${answer.describe()})`);
    check(
      answer.location && `${answer.location.origin}${answer.location.pathname}` === NODE_RP.redirectUri,
      () => `the login post should redirect to ${NODE_RP.redirectUri}: ${answer.describe()}`,
    );
    check(answer.location.searchParams.get('code'), () => `no code in ${answer.location}`);
    equal(answer.location.searchParams.get('state'), state, 'the state returned to the callback');
    const cookie = jar.raw('auth0');
    check(cookie, 'the login set no "auth0" session cookie');
    check(/;\s*HttpOnly/i.test(cookie), () => `the session cookie is not HttpOnly: ${cookie}`);
    check(/;\s*SameSite=Lax/i.test(cookie), () => `the session cookie is not SameSite=Lax: ${cookie}`);
    check(/;\s*Path=\/(;|$)/i.test(cookie), () => `the session cookie is not Path=/: ${cookie}`);
    check(
      !/;\s*Secure/i.test(cookie),
      () => `the session cookie is Secure, so no browser sends it over http: ${cookie}`,
    );
    return answer.location;
  });

  const tokens = await run.step('exchange the code (authorizationCodeGrant)', () =>
    client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    }),
  );

  await run.step('check the ID token', async () => {
    const claims = tokens.claims();
    equal(claims.sub, ALICE.sub, 'id_token sub');
    equal(claims.nonce, nonce, 'id_token nonce');
    equal(claims.iss, issuerUrl.href, 'id_token iss');
    check(
      claims.aud === NODE_RP.clientId || (Array.isArray(claims.aud) && claims.aud.includes(NODE_RP.clientId)),
      () => `id_token aud should be ${NODE_RP.clientId}: ${JSON.stringify(claims.aud)}`,
    );
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
    const { protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
      issuer: issuerUrl.href,
      audience: NODE_RP.clientId,
      algorithms: ['RS256'],
    });
    equal(protectedHeader.alg, 'RS256', 'id_token alg');
    check(tokens.access_token, 'no access_token in the token response');
    run.note(`id_token claims: ${Object.keys(claims).join(', ')}`);
  });

  await run.step('replaying the same code fails with invalid_grant', () =>
    expectInvalidGrant(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      }),
      'the replayed code',
    ),
  );

  await run.step('with the session, /authorize answers with a code; a wrong PKCE verifier is refused', async () => {
    const verifier2 = client.randomPKCECodeVerifier();
    const state2 = client.randomState();
    const nonce2 = client.randomNonce();
    const url = authorizationUrl(config, {
      code_challenge: await client.calculatePKCECodeChallenge(verifier2),
      state: state2,
      nonce: nonce2,
    });
    const answer = await browserFetch(jar, url);
    equal(answer.status, 302, `GET /authorize with the session cookie (${answer.describe()})`);
    check(
      answer.location && `${answer.location.origin}${answer.location.pathname}` === NODE_RP.redirectUri,
      () => `GET /authorize with the session cookie should redirect to ${NODE_RP.redirectUri}: ${answer.describe()}`,
    );
    check(answer.location.searchParams.get('code'), () => `no code in ${answer.location}`);
    await expectInvalidGrant(
      client.authorizationCodeGrant(config, answer.location, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: state2,
        expectedNonce: nonce2,
      }),
      'the code with a wrong code_verifier',
    );
  });


  await run.step('a code exchanged with a JSON body (as auth0-spa-js does with useFormData: false)', async () => {
    const verifier3 = client.randomPKCECodeVerifier();
    const url = authorizationUrl(config, {
      code_challenge: await client.calculatePKCECodeChallenge(verifier3),
      state: client.randomState(),
      nonce: client.randomNonce(),
    });
    const answer = await browserFetch(jar, url);
    const code = answer.location?.searchParams.get('code');
    check(
      answer.status === 302 && code,
      () => `GET /authorize with the session cookie gave no code: ${answer.describe()}`,
    );
    const response = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: NODE_RP.clientId,
        code,
        code_verifier: verifier3,
        redirect_uri: NODE_RP.redirectUri,
      }),
    });
    const body = await response.text();
    equal(response.status, 200, `POST /oauth/token with a JSON body (${body.slice(0, 400)})`);
    const json = JSON.parse(body);
    check(json.id_token && json.access_token, () => `no id_token or access_token in ${body.slice(0, 400)}`);
    equal(decodeJwt(json.id_token).sub, ALICE.sub, 'the id_token sub');
  });
});
