// End-to-end: Fastly's own JavaScript client (the `fastly` npm package, fastly-js 13) against a
// running tokenledger on 127.0.0.1. fastly-js sends every call to https://api.fastly.com
// whatever basePath says, so a superagent plugin rewrites each URL to the local server, and two
// independent checks prove that nothing left 127.0.0.1: every URL the client sent, and every socket
// connection the process opened.
//
// Environment: TL_BASE (http://127.0.0.1:PORT), TL_LOGIN, TL_PASSWORD, TL_CUSTOMER_ID.
'use strict';

const net = require('net');
const assert = require('assert/strict');

// Every outgoing connection of this process, whoever opens it.
const connections = [];
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() hands the socket its arguments already normalized as [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' ? first : { port: first, host: args[1] };
  connections.push(String(options.host || options.path || '(no host given)'));
  return originalConnect.apply(this, args);
};

const Fastly = require('fastly');

const base = process.env.TL_BASE;
const login = process.env.TL_LOGIN;
const password = process.env.TL_PASSWORD;
const customerId = process.env.TL_CUSTOMER_ID;
assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/, 'TL_BASE must be a 127.0.0.1 address');

// Every secret the run handles goes to TL_SECRETS_OUT, so that the driver can scan the server's
// files for them afterwards (that list itself is left out of the scan).
const fs = require('fs');
function remember(secret) {
  if (process.env.TL_SECRETS_OUT) fs.appendFileSync(process.env.TL_SECRETS_OUT, secret + '\n');
  return secret;
}

const sentUrls = [];
function client({ key, user, pass } = {}) {
  const apiClient = new Fastly.ApiClient();
  apiClient.plugins = [
    (request) => {
      request.url = request.url.replace(/^https?:\/\/[^/]*/, base);
      sentUrls.push(request.url);
    },
  ];
  if (key) apiClient.authenticate(remember(key));
  if (user !== undefined) {
    apiClient.authentications.username_and_password.username = user;
    apiClient.authentications.username_and_password.password = remember(pass);
  }
  return apiClient;
}

// A call fastly-js has no method for (a form the generated createToken cannot send), made
// through the same ApiClient, so it goes through the same plugin and checks.
function callForm(apiClient, path, method, form, returnType) {
  return apiClient
    .callApi(path, method, {}, {}, {}, {}, form, null, ['token'],
             ['application/x-www-form-urlencoded'], ['application/json'], returnType,
             'https://api.fastly.com')
    .then((answer) => {
      if (answer.data && answer.data.access_token) remember(answer.data.access_token);
      if (form.password) remember(form.password);
      return answer.data;
    });
}

async function expectStatus(promise, status, what) {
  try {
    await promise;
  } catch (error) {
    assert.equal(error.status, status, `${what}: expected ${status}, got ${error.status}`);
    return;
  }
  assert.fail(`${what}: expected ${status}, but the call succeeded`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let checks = 0;
function check(name) {
  checks += 1;
  console.log(`ok ${checks} - ${name}`);
}

async function main() {
  // Way 3: HTTP Basic and an empty body (what the generated createToken sends).
  const basicTokens = new Fastly.TokensApi(client({ user: login, pass: password }));
  const byBasic = await basicTokens.createToken();
  assert.equal(byBasic.access_token.length, 32);
  assert.match(byBasic.access_token, /^[A-Za-z0-9_-]{32}$/);
  assert.match(byBasic.id, /^[A-Za-z0-9]{22}$/);
  assert.equal(byBasic.scope, 'global');
  check('create a token with HTTP Basic');

  // Way 1: username and password in the form.
  const anonymous = client();
  const byForm = await callForm(anonymous, '/tokens', 'POST',
    { username: login, password, name: 'form-way', scope: 'global purge_select' },
    Fastly.TokenCreatedResponse);
  assert.equal(byForm.name, 'form-way');
  assert.equal(byForm.scope, 'global purge_select');
  check('create a token with username and password in the form');

  // Way 2: a key of the same user after POST /sudo.
  const rootKey = byBasic.access_token;
  const root = client({ key: rootKey });
  const sudo = await new Fastly.SudoApi(root).requestSudoAccess({ sudo_request: { password } });
  assert.ok(sudo.expiry_time, 'sudo answers an expiry time');
  const byKey = await new Fastly.TokensApi(root).createToken();
  assert.match(byKey.access_token, /^[A-Za-z0-9_-]{32}$/);
  check('create a token with a key after sudo');

  const tokens = new Fastly.TokensApi(root);
  const mine = await tokens.listTokensUser();
  const mineIds = mine.map((t) => t.id);
  for (const id of [byBasic.id, byForm.id, byKey.id]) assert.ok(mineIds.includes(id));
  check('list the caller\'s tokens');

  const self = await tokens.getTokenCurrent();
  assert.equal(self.id, byBasic.id);
  assert.deepEqual(self.services, []);
  check('get the current token');

  const one = await tokens.getToken({ token_id: byForm.id });
  assert.equal(one.id, byForm.id);
  assert.equal(one.name, 'form-way');
  check('get a token by id');

  const all = await tokens.listTokensCustomer({ customer_id: customerId });
  for (const id of [byBasic.id, byForm.id, byKey.id]) assert.ok(all.map((t) => t.id).includes(id));
  check('list the customer\'s tokens');

  const me = await new Fastly.UserApi(root).getCurrentUser();
  assert.equal(me.login, login);
  assert.equal(me.customer_id, customerId);
  check('get the current user');

  // Revoke by id; the revoked key no longer works.
  await tokens.revokeToken({ token_id: byForm.id });
  await expectStatus(new Fastly.TokensApi(client({ key: byForm.access_token })).getTokenCurrent(),
                     401, 'a revoked token');
  check('revoke a token by id');

  // Revoke self.
  await new Fastly.TokensApi(client({ key: byKey.access_token })).revokeTokenCurrent();
  await expectStatus(new Fastly.TokensApi(client({ key: byKey.access_token })).getTokenCurrent(),
                     401, 'a token revoked through itself');
  check('revoke the current token');

  // Bulk revoke.
  const a = await basicTokens.createToken();
  const b = await basicTokens.createToken();
  await tokens.bulkRevokeTokens({
    request_body: { data: [{ type: 'token', id: a.id }, { type: 'token', id: b.id }] },
  });
  for (const t of [a, b]) {
    await expectStatus(new Fastly.TokensApi(client({ key: t.access_token })).getTokenCurrent(),
                       401, 'a bulk-revoked token');
  }
  check('bulk revoke');

  // Expiry: a token that expires in two seconds answers 401 afterwards.
  const expiresAt = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
  const shortLived = await callForm(anonymous, '/tokens', 'POST',
    { username: login, password, name: 'short', expires_at: expiresAt },
    Fastly.TokenCreatedResponse);
  const shortClient = new Fastly.TokensApi(client({ key: shortLived.access_token }));
  assert.equal((await shortClient.getTokenCurrent()).id, shortLived.id);
  await sleep(3500);
  await expectStatus(shortClient.getTokenCurrent(), 401, 'an expired token');
  check('an expired token answers 401');

  // A second user cannot see or revoke the first user's tokens; the superuser can see and
  // revoke the second user's.
  const secondLogin = `second-${Date.now()}@e2e.example`;
  await callForm(root, '/user', 'POST',
    { login: secondLogin, name: 'Second', role: 'engineer', password: 'second-password' },
    Fastly.UserResponse);
  const secondToken = await new Fastly.TokensApi(
    client({ user: secondLogin, pass: 'second-password' })).createToken();
  const second = new Fastly.TokensApi(client({ key: secondToken.access_token }));
  await expectStatus(second.getToken({ token_id: byBasic.id }), 404, 'another user\'s token');
  await expectStatus(second.revokeToken({ token_id: byBasic.id }), 404,
                     'revoking another user\'s token');
  await expectStatus(second.listTokensCustomer({ customer_id: customerId }), 403,
                     'a non-superuser listing the customer');
  const secondsOwn = await second.listTokensUser();
  assert.deepEqual(secondsOwn.map((t) => t.id), [secondToken.id]);
  assert.equal((await tokens.getToken({ token_id: byBasic.id })).id, byBasic.id);
  check('a second user cannot see or revoke the first user\'s tokens');

  assert.equal((await tokens.getToken({ token_id: secondToken.id })).id, secondToken.id);
  await tokens.revokeToken({ token_id: secondToken.id });
  await expectStatus(second.getTokenCurrent(), 401, 'a token the superuser revoked');
  check('a superuser sees and revokes another user\'s token');

  // Nothing left 127.0.0.1.
  assert.ok(sentUrls.length > 20);
  for (const url of sentUrls) assert.ok(url.startsWith(base + '/'), `request to ${url}`);
  assert.ok(connections.length > 0);
  for (const host of connections) assert.equal(host, '127.0.0.1', `connection to ${host}`);
  check(`all ${sentUrls.length} requests and ${connections.length} connections stayed on 127.0.0.1`);
}

main().then(
  () => console.log(`fastly-js end-to-end: ${checks} checks passed`),
  (error) => {
    console.error('FAILED:', error && error.stack ? error.stack : error);
    if (error && error.response) console.error('response:', error.status, error.response.text);
    process.exit(1);
  });
