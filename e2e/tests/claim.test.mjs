// Claiming (PRODUCT §5): the bubble, the card with 開, the count-up, the details with best
// luck, and the state screens (too late, already claimed, not for you).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimPacket, fen, bubble, closeCard } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });


/** Closes the packet card if one is open. */
/** `user`'s balance (fen) and ledger, read from the wallet screen. */
async function wallet(page, user) {
  await closeCard(page);
  await switchUser(page, user);
  await byTestId(page, 'tab-wallet').click();
  const balance = page.locator(`[data-testid="wallet-balance"][data-user="${user}"]`);
  await balance.waitFor();
  const entries = await byTestId(page, 'ledger-entry').evaluateAll((els) => els.map((e) => ({
    kind: e.dataset.kind, packetId: e.dataset.packetId ?? null, fen: Number(e.dataset.fen),
  })));
  return { balance: Number(await balance.getAttribute('data-fen')), text: await balance.innerText(), entries };
}

test('a lucky packet claimed by three: shares add up, wallets and ledgers follow, one best luck', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '3' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '10.00', count: 3, greeting: '恭喜发财' });
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'open');
  await screenshot(page, 'claim-bubble-sender-zh');

  const shares = {};
  for (const user of ['bob', 'carol', 'dave']) {
    await closeCard(page);
    await switchUser(page, user);
    await openChat(page, 'family');
    assert.match(await bubble(page, id).innerText(), /拼手气红包/);
    const text = await claimPacket(page, id);
    assert.match(text, /^¥\d+\.\d\d$/, text);
    shares[user] = fen(text);
    assert.ok(shares[user] >= 1, `${user} got ${text}`);
    // The details list shows this claim once the packet is refetched.
    await page.locator(`[data-testid="claim-list"] [data-user="${user}"]`).waitFor();
    if (user !== 'dave') {
      assert.equal(await byTestId(page, 'best-luck').count(), 0, 'no best luck before the last share');
      if (user === 'bob') await screenshot(page, 'claim-revealed-zh');
    }
  }
  // The last share decides best luck: exactly one badge, on the largest share.
  await byTestId(page, 'best-luck').waitFor();
  assert.equal(await byTestId(page, 'best-luck').count(), 1);
  const items = await byTestId(page, 'claim-item').evaluateAll((els) => els.map((e) => ({
    user: e.dataset.user, fen: Number(e.dataset.fen), best: !!e.querySelector('[data-testid="best-luck"]'),
  })));
  assert.equal(items.length, 3);
  const max = Math.max(...items.map((i) => i.fen));
  const best = items.find((i) => i.best);
  assert.equal(best.fen, max);
  assert.equal(items.find((i) => i.fen === max).user, best.user, 'a tie goes to the earlier claimer');
  await screenshot(page, 'claim-best-luck-zh');

  const total = Object.values(shares).reduce((a, b) => a + b, 0);
  assert.equal(total, 1000, `shares ${JSON.stringify(shares)} add up to ¥10.00`);
  await closeCard(page);
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'claimed_out');

  for (const user of ['bob', 'carol', 'dave']) {
    const w = await wallet(page, user);
    assert.equal(w.balance, 100_000 + shares[user], `${user}'s balance`);
    const credits = w.entries.filter((e) => e.kind === 'credit' && e.packetId === id);
    assert.equal(credits.length, 1, `${user} has one credit`);
    assert.equal(credits[0].fen, shares[user]);
  }
  const alice = await wallet(page, 'alice');
  assert.equal(alice.balance, 100_000 - 1000);
  assert.deepEqual(alice.entries.filter((e) => e.packetId === id).map((e) => [e.kind, e.fen]), [['debit', -1000]]);
  assertNoErrors(page);
});

test('too late, already claimed, and the sender\'s details', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '1.88', count: 1, greeting: 'First come' });

  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const bobText = await claimPacket(page, id);
  assert.equal(fen(bobText), 188, 'a one-share packet gives the whole total');
  await closeCard(page);
  assert.match(await bubble(page, id).innerText(), /已领取/);

  // Bob again: his share, no 開.
  await bubble(page, id).click();
  const again = page.locator('[data-state-screen="already_claimed"]');
  await again.waitFor();
  assert.equal(await byTestId(page, 'claimed-amount').innerText(), bobText);
  assert.equal(await byTestId(page, 'open-button').count(), 0);
  await closeCard(page);

  // Carol: too late.
  await switchUser(page, 'carol');
  await openChat(page, 'family');
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'claimed_out');
  assert.match(await bubble(page, id).innerText(), /已被领完/);
  await bubble(page, id).click();
  const late = page.locator('[data-state-screen="claimed_out"]');
  await late.waitFor();
  assert.match(await late.locator('[data-testid="error-message"]').innerText(), /手慢了，红包派完了/);
  await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
  assert.equal(await byTestId(page, 'open-button').count(), 0);
  await screenshot(page, 'claim-too-late');
  await closeCard(page);

  // Alice (the sender): the details, no 開.
  await switchUser(page, 'alice');
  await openChat(page, 'family');
  await bubble(page, id).click();
  await page.locator('[data-state-screen="details"]').waitFor();
  await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
  assertNoErrors(page);
});

test('an exclusive packet: not for you, for the named member, details for the sender', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'exclusive', amount: '5', recipient: 'carol', greeting: 'For Carol' });
  assert.equal(await bubble(page, id).getAttribute('data-kind'), 'exclusive');

  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, id).click();
  const nope = page.locator('[data-state-screen="not_for_you"]');
  await nope.waitFor();
  assert.match(await nope.locator('[data-testid="error-message"]').innerText(), /Carol/);
  await screenshot(page, 'claim-not-for-you');
  await closeCard(page);

  await switchUser(page, 'carol');
  await openChat(page, 'family');
  assert.equal(fen(await claimPacket(page, id)), 500);
  await closeCard(page);

  await switchUser(page, 'alice');
  await openChat(page, 'family');
  await bubble(page, id).click();
  await page.locator('[data-state-screen="details"]').waitFor();
  await page.locator('[data-testid="claim-list"] [data-user="carol"]').waitFor();
  assertNoErrors(page);
});

test('the card is a modal dialog: Escape, the close button and the backdrop close it', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'normal', amount: '2', count: 2, greeting: 'Normal' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, id).click();
  const card = byTestId(page, 'packet-card');
  await card.waitFor();
  assert.equal(await card.getAttribute('role'), 'dialog');
  assert.equal(await card.getAttribute('aria-modal'), 'true');
  // The focus moves to 開 (on the frame after the card shows) and stays inside the card.
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'open-button');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="packet-card"]')), 'focus stays in the card');
  }
  await screenshot(page, 'claim-card-open-zh');
  await page.keyboard.press('Escape');
  await card.waitFor({ state: 'hidden' });
  // The focus returns to the bubble.
  await page.waitForFunction((id) => document.activeElement?.dataset?.packetId === id, id);

  await bubble(page, id).click();
  await byTestId(page, 'close-card').click();
  await card.waitFor({ state: 'hidden' });

  await bubble(page, id).click();
  await page.locator('.hb-card-backdrop').click({ position: { x: 5, y: 5 } });
  await card.waitFor({ state: 'hidden' });

  // A normal packet gives every claimer the same share.
  assert.equal(fen(await claimPacket(page, id)), 200);
  assertNoErrors(page);
});
