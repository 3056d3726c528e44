// Signing-key rotation as a relying party sees it: jose's remote JWKS (createRemoteJWKSet) against
// `tokenbench serve --admin`, driven through the Management API's signing-key routes. A client-credentials token
// verifies; after a rotation the next token is signed with the key that was already published as next, so it
// verifies from jose's cached set; the previous key is revoked; after a second rotation a token signed with a
// key the cache has never seen makes jose fetch the set again, and the first token then fails with
// ERR_JWKS_NO_MATCHING_KEY, because its key is no longer published. Each certificate in `x5c` is also read
// with Node's X509Certificate: it holds the JWK's own key, is self-signed, and `x5t` is its SHA-1.
//
// Usage: node tests/browser/jose-rotation.mjs   (TOKENBENCH_BIN names the binary; default
// target/debug/tokenbench)

import { X509Certificate, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { API, Failure, check, equal, randomPassword, runTest, startIssuer, tenant } from './harness.mjs';

const M2M = 'demo-m2m';
const KEYS = '/api/v2/keys/signing';

// The demo tenant with demo-m2m's secret taken from the environment, so the test knows it.
function m2mTenant() {
  const t = tenant(undefined);
  const m2m = t.clients.find((c) => c.client_id === M2M);
  if (!m2m) throw new Error(`the demo tenant has no client ${M2M}`);
  m2m.client_secret = { env: 'M2M_SECRET' };
  return t;
}

// Reads an x5c certificate and checks it against its JWK; returns its SHA-1 fingerprint.
function checkCertificate(jwk) {
  check(Array.isArray(jwk.x5c) && jwk.x5c.length === 1, () => `x5c should hold one certificate: ${JSON.stringify(jwk)}`);
  const cert = new X509Certificate(Buffer.from(jwk.x5c[0], 'base64'));
  const key = cert.publicKey.export({ format: 'jwk' });
  equal(key.n, jwk.n, `${jwk.kid}: the certificate's modulus`);
  equal(key.e, jwk.e, `${jwk.kid}: the certificate's exponent`);
  check(cert.checkIssued(cert) && cert.verify(cert.publicKey), () => `${jwk.kid}: the certificate is not self-signed`);
  check(cert.ca, () => `${jwk.kid}: the certificate is not a CA (basicConstraints CA:TRUE)`);
  const x5t = Buffer.from(jwk.x5t, 'base64url').toString('hex').toUpperCase().match(/../g).join(':');
  equal(cert.fingerprint, x5t, `${jwk.kid}: x5t as the certificate's SHA-1 fingerprint`);
  return cert.subject;
}

await runTest('jose remote JWKS across a key rotation', async (run) => {
  const secret = randomBytes(24).toString('base64url');
  const adminToken = randomBytes(24).toString('hex');
  const issuer = await run.step('start tokenbench serve --admin', () =>
    startIssuer(run, m2mTenant(), randomPassword(), {
      args: ['--admin'],
      env: { M2M_SECRET: secret, TOKENBENCH_ADMIN_TOKEN: adminToken },
    }),
  );
  run.note(`issuer ${issuer.url}`);
  const jwksUrl = new URL(`${issuer.url}/.well-known/jwks.json`);

  const admin = async (method, path) => {
    const response = await fetch(`${issuer.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, text };
  };
  const token = async () => {
    const response = await fetch(`${issuer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: M2M, client_secret: secret, audience: API }),
    });
    const text = await response.text();
    equal(response.status, 200, `POST /oauth/token for ${M2M} (${text.slice(0, 300)})`);
    return JSON.parse(text).access_token;
  };
  const kidOf = (jwt) => decodeProtectedHeader(jwt).kid;

  // One relying party for the whole run: it refetches the set as soon as a token names an unknown kid.
  let fetches = 0;
  const jwks = createRemoteJWKSet(jwksUrl, {
    cooldownDuration: 0,
    [customFetch]: (url, options) => {
      fetches += 1;
      return fetch(url, options);
    },
  });
  const verify = (jwt, keySet = jwks) =>
    jwtVerify(jwt, keySet, { issuer: `${issuer.url}/`, audience: API, algorithms: ['RS256'] });
  const cachedKids = () => jwks.jwks().keys.map((k) => k.kid);

  const first = await run.step('a client-credentials token verifies with the remote JWKS', async () => {
    const jwt = await token();
    await verify(jwt);
    equal(fetches, 1, 'JWKS fetches');
    const kids = cachedKids();
    equal(kids.length, 2, `published keys (${kids})`);
    equal(kidOf(jwt), kids[0], 'the token is signed with the first (current) key');
    for (const jwk of jwks.jwks().keys) run.note(`${jwk.kid}: ${checkCertificate(jwk)}`);
    return jwt;
  });
  const [firstKid, nextKid] = cachedKids();

  const newNext = await run.step(`rotate with POST ${KEYS}/rotate`, async () => {
    const answer = await admin('POST', `${KEYS}/rotate`);
    equal(answer.status, 200, `rotate (${answer.text})`);
    check(answer.body.cert?.startsWith('-----BEGIN CERTIFICATE-----\r\n'), () => `rotate's cert: ${answer.text}`);
    check(!cachedKids().includes(answer.body.kid), () => `the new next key ${answer.body.kid} was already published`);
    return answer.body.kid;
  });

  await run.step('the next token is signed with the key published as next, and verifies without a refetch', async () => {
    const jwt = await token();
    equal(kidOf(jwt), nextKid, 'the kid after the rotation');
    await verify(jwt);
    equal(fetches, 1, 'JWKS fetches (the next key was in the cached set)');
    await verify(first);
  });

  await run.step(`revoke the previous key with PUT ${KEYS}/{kid}/revoke`, async () => {
    const current = await admin('PUT', `${KEYS}/${nextKid}/revoke`);
    equal(current.status, 400, `revoking the current key (${current.text})`);
    const answer = await admin('PUT', `${KEYS}/${firstKid}/revoke`);
    equal(answer.status, 200, `revoking the previous key (${answer.text})`);
    equal(answer.body.kid, firstKid, 'the revoked kid');
    const listed = await admin('GET', `${KEYS}/${firstKid}`);
    equal(listed.body?.revoked, true, `the key object after revocation (${listed.text})`);
    // A set fetched before the revocation still holds the key until the relying party fetches again.
    await verify(first);
  });

  await run.step('rotate again: a token of a key the cache never saw makes jose fetch the set again', async () => {
    const answer = await admin('POST', `${KEYS}/rotate`);
    equal(answer.status, 200, `the second rotation (${answer.text})`);
    const jwt = await token();
    equal(kidOf(jwt), newNext, 'the kid after the second rotation');
    check(!cachedKids().includes(newNext), () => `${newNext} was already cached: ${cachedKids()}`);
    await verify(jwt);
    equal(fetches, 2, 'JWKS fetches');
    check(!cachedKids().includes(firstKid), () => `the revoked key is still published: ${cachedKids()}`);
  });

  await run.step('the first token now fails with ERR_JWKS_NO_MATCHING_KEY', async () => {
    for (const [who, keySet] of [
      ['the running relying party', jwks],
      ['a relying party that starts now', createRemoteJWKSet(jwksUrl)],
    ]) {
      let error;
      try {
        await verify(first, keySet);
      } catch (e) {
        error = e;
      }
      if (!error) throw new Failure(`${who} still accepts the token of the revoked key ${firstKid}`);
      check(
        error instanceof errors.JWKSNoMatchingKey && error.code === 'ERR_JWKS_NO_MATCHING_KEY',
        () => `${who}: expected ERR_JWKS_NO_MATCHING_KEY, got ${error.code ?? error.name}: ${error.message}`,
      );
    }
  });
});
