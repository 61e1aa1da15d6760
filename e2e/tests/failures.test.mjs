// Failure injection on the mock backend: with half the requests or responses lost, retries
// with the same idempotency key never double-send or double-claim, and money is conserved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openApp, openChat, fillEntry, switchUser, fen, bubble, closeCard, setNumber, claimedAmount, awaitState } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

async function wallet(page, user) {
  await closeCard(page);
  await switchUser(page, user);
  await byTestId(page, 'tab-wallet').click();
  const balance = `[data-testid="wallet-balance"][data-user="${user}"]`;
  const el = page.locator(balance);
  // Reads may fail under failure injection: the wallet offers a retry.
  for (let i = 0; i < 50; i++) {
    const state = await awaitState(page, { shown: balance, retry: '.hb-wallet [data-testid="retry-button"]' });
    if (state === 'shown') break;
    await page.locator('.hb-wallet [data-testid="retry-button"]').click();
  }
  await el.waitFor();
  const entries = await byTestId(page, 'ledger-entry').evaluateAll((els) => els.map((e) => ({
    kind: e.dataset.kind, packetId: e.dataset.packetId ?? null, fen: Number(e.dataset.fen),
  })));
  return { fen: Number(await el.getAttribute('data-fen')), entries };
}


/** Sends through the send flow, pressing Next / Retry until the flow closes. */
async function sendWithRetries(page, opts) {
  const bubbles = byTestId(page, 'packet-bubble');
  const before = await bubbles.count();
  await fillEntry(page, opts);
  let retries = 0;
  for (let i = 0; i < 300; i++) {
    const state = await awaitState(page, {
      done: '![data-testid="send-flow"]',
      retry: '[data-testid="send-flow"] [data-testid="retry-button"]',
      next: '[data-testid="send-flow"] [data-testid="next-button"]',
    });
    if (state === 'done') break;
    if (state === 'retry') retries++;
    await page.locator(`[data-testid="send-flow"] [data-testid="${state}-button"]`).click();
  }
  await bubbles.nth(before).waitFor();
  return { id: await bubbles.last().getAttribute('data-packet-id'), retries };
}

/** Opens packet `id` and claims it, pressing Retry on failures, until the amount shows. */
async function claimWithRetries(page, id, onNetworkScreen) {
  await bubble(page, id).click();
  await byTestId(page, 'packet-card').waitFor();
  let retries = 0;
  for (let i = 0; i < 300; i++) {
    const state = await awaitState(page, {
      done: '[data-testid="packet-card"] [data-testid="claimed-amount"]',
      retry: '[data-testid="packet-card"] [data-testid="retry-button"]',
      open: '[data-testid="packet-card"] [data-testid="open-button"]',
    });
    if (state === 'done') break;
    if (state === 'retry') {
      if (onNetworkScreen && (await page.locator('[data-state-screen="network"]').count())) await onNetworkScreen();
      retries++;
    }
    await page.locator(`[data-testid="packet-card"] [data-testid="${state}-button"]`).click();
  }
  const last = await claimedAmount(page);
  await closeCard(page);
  return { amount: fen(last), retries };
}

test('with 50% failures, 10 sends and 10 claims never double-send or double-claim', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1', fail: '50' });
  await openChat(page, 'family');
  const ids = [];
  let sendRetries = 0, claimRetries = 0, shotTaken = false;
  for (let i = 0; i < 10; i++) {
    const { id, retries } = await sendWithRetries(page, { kind: 'lucky', amount: '1.00', count: 1, greeting: `F${i}` });
    ids.push(id);
    sendRetries += retries;
  }
  assert.equal(new Set(ids).size, 10, `ten distinct packets: ${ids}`);

  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const shares = {};
  for (const id of ids) {
    const { amount, retries } = await claimWithRetries(page, id, async () => {
      if (!shotTaken) { shotTaken = true; await screenshot(page, 'claim-network-retry'); }
    });
    shares[id] = amount;
    claimRetries += retries;
  }
  console.log(`# retries pressed: ${sendRetries} on sends, ${claimRetries} on claims`);

  // Count with failures off, so that every read succeeds.
  await setNumber(page, 'fail', 0);
  await openChat(page, 'family');
  await bubble(page, ids[9]).waitFor();
  assert.equal(await byTestId(page, 'packet-bubble').count(), 10, 'one bubble per send');

  let sum = 0;
  for (const user of USERS) {
    const w = await wallet(page, user);
    sum += w.fen;
    if (user === 'alice') {
      const debits = w.entries.filter((e) => e.kind === 'debit');
      assert.equal(debits.length, 10, 'one debit per packet');
      assert.deepEqual(new Set(debits.map((e) => e.packetId)), new Set(ids));
      assert.ok(debits.every((e) => e.fen === -100));
      assert.equal(w.entries.filter((e) => e.kind.startsWith('refund')).length, 0);
      assert.equal(w.fen, 100_000 - 1000);
    }
    if (user === 'bob') {
      const credits = w.entries.filter((e) => e.kind === 'credit');
      assert.equal(credits.length, 10, 'one credit per claimed packet');
      assert.deepEqual(new Set(credits.map((e) => e.packetId)), new Set(ids));
      for (const c of credits) assert.equal(c.fen, shares[c.packetId]);
      assert.equal(w.fen, 100_000 + 1000, 'a one-share packet gives bob the whole ¥1.00');
    }
  }
  assert.equal(sum, 10 * 100_000, 'money is conserved');
  assertNoErrors(page);
});
