// A real OpenID Connect provider for the tests: the certified `oidc-provider` package, with a
// sign-in page of its own and a handful of city accounts. It stands in for a city's identity
// provider (Entra ID, Okta, Keycloak...), which the registry reaches only over HTTP.
//
// Settings come as JSON in OIDC_TEST_SETTINGS:
//   {"client_id", "client_secret", "redirect_uris": [...],
//    "accounts": {"<id>": {"password", "email", "name", "groups": [...], "verified"?}}}
// It listens on a free loopback port and prints {"issuer": "http://127.0.0.1:PORT"} once ready.
//
// The provider's own administration, which a city's IT department would use, is one route:
// POST /admin/accounts/<id>/disable (and /enable), so the tests can disable a person there.

import crypto from 'node:crypto';
import http from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_SETTINGS);
const accounts = settings.accounts;
const disabled = new Set();

// Someone disabled while the provider still remembers them is asked to sign in again, and then
// refused: the provider's own session vouches for nobody it has disabled.
const policy = interactionPolicy.base();
policy.get('login').checks.add(
  new interactionPolicy.Check('account_disabled', 'The account is disabled.', (ctx) =>
    disabled.has(ctx.oidc.session.accountId)
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT,
  ),
);

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function signInPage(res, uid, message) {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><title>City sign-in</title>
<h1>City of Riverton sign-in</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>User name <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function grantConsent(provider, req, res, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
}

async function signIn(provider, req, res, uid) {
  const form = await readForm(req);
  const id = form.get('login');
  const account = accounts[id];
  if (!account || account.password !== form.get('password')) {
    signInPage(res, uid, 'That user name and password do not match.');
    return;
  }
  if (disabled.has(id)) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'This account is disabled.',
    });
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: id } });
}

async function interaction(provider, req, res, parts) {
  const uid = parts[2];
  if (req.method === 'POST' && parts[3] === 'login') {
    await signIn(provider, req, res, uid);
    return;
  }
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') signInPage(res, uid);
  else await grantConsent(provider, req, res, details);
}

function administer(req, res, parts) {
  const [, , , id, action] = parts;
  if (!accounts[id]) {
    res.writeHead(404).end();
    return;
  }
  if (action === 'disable') disabled.add(id);
  else disabled.delete(id);
  res.writeHead(204).end();
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: settings.client_id,
        client_secret: settings.client_secret,
        redirect_uris: settings.redirect_uris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { policy, url: (ctx, details) => `/interaction/${details.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    async findAccount(ctx, id) {
      if (!accounts[id]) return undefined;
      const { email, name, groups, verified = true } = accounts[id];
      return {
        accountId: id,
        claims: async () => ({ sub: id, email, email_verified: verified, name, groups }),
      };
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const parts = new URL(req.url, issuer).pathname.split('/');
    let answer;
    if (parts[1] === 'interaction') answer = interaction(provider, req, res, parts);
    else if (parts[1] === 'admin' && req.method === 'POST') answer = administer(req, res, parts);
    else answer = handle(req, res);
    Promise.resolve(answer).catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  console.log(JSON.stringify({ issuer }));
});
