// The widget on the real backend (PRODUCT §8): the built app served by hongbao-server on a
// throwaway SQLite file, under the server's strict Content-Security-Policy. Sending,
// claiming and the wallet go through the HTTP API; live updates arrive through the events
// stream, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForApp, screenshot, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openChat, sendPacket, claimPacket, fen, bubble, closeCard } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';

let server, browser;

/** A page acting as `user`, recording Content-Security-Policy violations. */
async function userPage(user, query = '') {
  const page = await newPage(browser);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}/?user=${user}&lang=en${query}`);
  await waitForApp(page);
  return page;
}

async function balanceFen(page) {
  await closeCard(page);
  await byTestId(page, 'tab-wallet').click();
  const el = byTestId(page, 'wallet-balance');
  await el.waitFor();
  return Number(await el.getAttribute('data-fen'));
}

before(async () => { server = await startServer({ args: ['--test-clock'] }); browser = await launch(); });
after(async () => {
  await browser?.close();
  server?.stop();
});

test('served by hongbao-server, the widget uses the HTTP backend under a strict CSP, with live updates', async () => {
  // The page the server serves starts on the HTTP backend without any query parameter.
  const res = await fetch(`${server.url}/`);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  assert.match(await res.text(), /<meta name="hongbao-settings" content="backend=http">/);

  const alice = await userPage('alice');
  const bob = await userPage('bob');
  await openChat(alice, 'family');
  await openChat(bob, 'family');
  assert.equal(await balanceFen(alice), 100_000, 'alice starts with ¥1,000.00 on the server');
  await openChat(alice, 'family');

  const id = await sendPacket(alice, { kind: 'lucky', amount: '30.00', count: 3, greeting: 'Over HTTP' });
  assert.match(id, /\S/);
  // bob's page learns of the packet from the events stream: no reload.
  await bubble(bob, id).waitFor({ timeout: 10_000 });
  const share = fen(await claimPacket(bob, id));
  assert.ok(share > 0 && share <= 3000, `bob's share ${share}`);
  await closeCard(bob);
  await screenshot(bob, 'http-claimed-en');

  // The server's own view agrees: the packet (through the API), the ledgers, the balances.
  const login = await (await fetch(`${server.url}/api/v1/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'hongbao' }),
  })).json();
  const packet = await (await fetch(`${server.url}/api/v1/packets/${id}`, { headers: { authorization: `Bearer ${login.token}` } })).json();
  assert.equal(packet.total, '30.00');
  assert.equal(packet.claimed_count, 1);
  assert.equal(packet.claims[0].username, 'bob');
  assert.equal(fen(packet.claims[0].amount), share);
  assert.equal(await balanceFen(bob), 100_000 + share);
  assert.equal(await balanceFen(alice), 100_000 - 3000);

  for (const page of [alice, bob]) {
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
    assertNoErrors(page);
  }
});

test('a rejected send over HTTP shows the server\'s error and changes nothing', async () => {
  const carol = await userPage('carol', '&stages=1');
  const refused = [];
  carol.on('response', (r) => { if (r.status() >= 400) refused.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  await openChat(carol, 'family');
  // More than carol has: the server answers insufficient_balance.
  await byTestId(carol, 'new-packet').click();
  await byTestId(carol, 'amount-input').fill('200000');
  await byTestId(carol, 'count-input').fill('1');
  // The entry stage asks the server (POST /packets/preview): its refusal shows, Next stays off.
  const before = await byTestId(carol, 'packet-bubble').count();
  const message = byTestId(carol, 'error-message').first();
  await message.waitFor();
  assert.match(await message.innerText(), /\S/);
  assert.ok(await byTestId(carol, 'next-button').isDisabled());
  assert.equal(await byTestId(carol, 'packet-bubble').count(), before);
  await carol.reload();
  await waitForApp(carol);
  // The reload keeps the place (src/nav): the sheet opens again, empty. Close it.
  await byTestId(carol, 'send-flow').waitFor();
  await carol.keyboard.press('Escape');
  await byTestId(carol, 'send-flow').waitFor({ state: 'detached' });
  assert.equal(await balanceFen(carol), 100_000);
  // The only failed requests are the server refusing the previews (Chromium logs each one).
  assert.ok(refused.length > 0 && refused.every((r) => r === '400 /api/v1/packets/preview'), refused.join(', '));
  assertNoErrors(carol, [/status of 400 \(Bad Request\)/]);
});
