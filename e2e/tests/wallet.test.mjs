// The wallet (balance and ledger), the 24 h expiry through the test clock, and persistence
// across reloads until "reset demo".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, installClock, pauseClock, resumeClock } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimPacket, fen, bubble, closeCard } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });


async function wallet(page, user) {
  await closeCard(page);
  if (user) await switchUser(page, user);
  user ??= await byTestId(page, 'identity-switch').inputValue();
  await byTestId(page, 'tab-wallet').click();
  const el = page.locator(`[data-testid="wallet-balance"][data-user="${user}"]`);
  await el.waitFor();
  const entries = await byTestId(page, 'ledger-entry').evaluateAll((els) => els.map((e) => ({
    kind: e.dataset.kind, packetId: e.dataset.packetId ?? null, fen: Number(e.dataset.fen),
    text: e.innerText,
  })));
  return { fen: Number(await el.getAttribute('data-fen')), text: await el.innerText(), entries };
}

test('the wallet shows the balance and a ledger whose entries lead to their packets', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  let alice = await wallet(page, 'alice');
  assert.equal(alice.text, '¥1,000.00');
  assert.deepEqual(alice.entries.map((e) => [e.kind, e.fen]), [['grant', 100_000]]);
  assert.match(alice.entries[0].text, /初始资金/);

  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '8.88', count: 2, greeting: 'Lucky 8' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const share = fen(await claimPacket(page, id));

  const bob = await wallet(page, 'bob');
  assert.equal(bob.fen, 100_000 + share);
  assert.equal(bob.entries[0].kind, 'credit', 'newest first');
  assert.equal(bob.entries[0].packetId, id);
  assert.equal(bob.entries[0].fen, share);
  assert.match(bob.entries[0].text, /领取红包[\s\S]*\+¥/);

  alice = await wallet(page, 'alice');
  assert.equal(alice.text, '¥991.12');
  assert.equal(alice.entries[0].kind, 'debit');
  assert.match(alice.entries[0].text, /发出红包[\s\S]*−¥8\.88/);
  await screenshot(page, 'wallet-ledger');

  // The debit leads to the packet: its chat opens with its card.
  await page.locator(`[data-testid="ledger-entry"][data-packet-id="${id}"] [data-testid="ledger-open"]`).click();
  await byTestId(page, 'chat-view-family').waitFor();
  const card = page.locator(`[data-testid="packet-card"][data-packet-id="${id}"]`);
  await card.waitFor();
  // The sender may still grab a share of her own lucky packet; the details are one click away.
  await byTestId(page, 'open-button').waitFor();
  await byTestId(page, 'details-toggle').click();
  await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
  assertNoErrors(page);
});

test('after 24 hours the remainder goes back to the sender and the packet shows expired', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '10', count: 3, greeting: 'Expire me' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const share = fen(await claimPacket(page, id));
  await closeCard(page);

  await byTestId(page, 'settings').click();
  await byTestId(page, 'clock-forward').click();
  await page.waitForFunction(() => /86400/.test(document.querySelector('[data-testid="settings-status"]')?.textContent ?? ''));

  const alice = await wallet(page, 'alice');
  assert.equal(alice.fen, 100_000 - share, 'the unclaimed remainder is refunded');
  const refunds = alice.entries.filter((e) => e.kind === 'refund_expiry');
  assert.deepEqual(refunds.map((e) => [e.packetId, e.fen]), [[id, 1000 - share]]);
  assert.match(refunds[0].text, /退款·过期/);
  await screenshot(page, 'wallet-expiry-refund');

  await switchUser(page, 'carol');
  await openChat(page, 'family');
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'expired');
  assert.match(await bubble(page, id).innerText(), /已过期/);
  await bubble(page, id).click();
  const expired = page.locator('[data-state-screen="expired"]');
  await expired.waitFor();
  assert.match(await expired.locator('[data-testid="error-message"]').innerText(), /该红包已超过24小时/);
  assert.equal(await byTestId(page, 'open-button').count(), 0);
  await screenshot(page, 'claim-expired');
  await closeCard(page);

  // Bob still sees his share.
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, id).click();
  await page.locator('[data-state-screen="already_claimed"]').waitFor();
  assert.equal(fen(await byTestId(page, 'claimed-amount').innerText()), share);
  assertNoErrors(page);
});

test('the seconds input advances the clock by any amount', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1', window: '30' });
  await openChat(page, 'family');
  // Only the app's test clock moves from here (the page's own clock stands still).
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '1', count: 2, greeting: 'Tick' });
  const ring = byTestId(page, 'recall-countdown');
  await ring.waitFor();
  await byTestId(page, 'settings').click();
  await byTestId(page, 'clock-forward-input').fill('20');
  await byTestId(page, 'clock-forward-go').click();
  await page.waitForFunction(() => /20/.test(document.querySelector('[data-testid="settings-status"]')?.textContent ?? ''));
  await openChat(page, 'family');
  assert.equal(await byTestId(page, 'recall-countdown').getAttribute('data-secs-left'), '10', 'after 20 s of a 30 s window');
  await byTestId(page, 'settings').click();
  await byTestId(page, 'clock-forward-input').fill('0');
  await byTestId(page, 'clock-forward-go').click();
  await byTestId(page, 'error-message').waitFor();
  await byTestId(page, 'clock-forward-input').fill('15');
  await byTestId(page, 'clock-forward-go').click();
  await byTestId(page, 'error-message').waitFor({ state: 'detached' });
  await openChat(page, 'family');
  await bubble(page, id).waitFor();
  assert.equal(await byTestId(page, 'recall-button').count(), 0);
  await resumeClock(page);
  assertNoErrors(page);
});

test('a reload keeps the state; reset demo clears it', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'Persist' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const share = fen(await claimPacket(page, id));
  await closeCard(page);

  await page.reload();
  await byTestId(page, 'lang-switch').waitFor();
  await openChat(page, 'family');
  await bubble(page, id).waitFor();
  assert.equal(await byTestId(page, 'packet-bubble').count(), 1);
  assert.equal((await wallet(page, 'alice')).fen, 100_000 - 500);
  assert.equal((await wallet(page, 'bob')).fen, 100_000 + share);

  await byTestId(page, 'settings').click();
  await byTestId(page, 'reset-demo').click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="settings-status"]')?.textContent ?? '') !== '');
  assert.equal((await wallet(page, 'alice')).fen, 100_000);
  assert.equal((await wallet(page, 'bob')).fen, 100_000);
  await openChat(page, 'family');
  await page.locator('.hb-empty').waitFor();
  assert.equal(await byTestId(page, 'packet-bubble').count(), 0);

  // Still cleared after another reload.
  await page.reload();
  await byTestId(page, 'lang-switch').waitFor();
  await openChat(page, 'family');
  await page.locator('.hb-empty').waitFor();
  assertNoErrors(page);
});
