// Recall (PRODUCT §4): the countdown ring and Recall button for the sender only, while the
// policy allows it; the refund; the trace everyone sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, installClock, pauseClock, advance, resumeClock } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimPacket, fen, bubble, closeCard, recallPacket } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const recallButton = (page, id) => page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`);
const trace = (page, id) => page.locator(`[data-testid="recall-trace"][data-packet-id="${id}"]`);

async function balance(page, user) {
  await closeCard(page);
  await switchUser(page, user);
  await byTestId(page, 'tab-wallet').click();
  const el = page.locator(`[data-testid="wallet-balance"][data-user="${user}"]`);
  await el.waitFor();
  const entries = await byTestId(page, 'ledger-entry').evaluateAll((els) => els.map((e) => ({
    kind: e.dataset.kind, packetId: e.dataset.packetId ?? null, fen: Number(e.dataset.fen),
  })));
  return { fen: Number(await el.getAttribute('data-fen')), entries };
}

test('recall within the window refunds the sender and leaves a trace for everyone', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  // The countdown runs on the page's clock, which moves only as the test says from here.
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '10', count: 3, greeting: 'Oops' });

  const ring = byTestId(page, 'recall-countdown');
  await ring.waitFor();
  assert.equal(await ring.getAttribute('role'), 'timer');
  assert.equal(await ring.getAttribute('aria-live'), 'polite');
  assert.match(await ring.getAttribute('aria-label'), /还可撤回 120 秒/);
  assert.equal(await ring.getAttribute('data-secs-left'), '120');
  // The ring: a path of length 1000, unlit in proportion to the time gone (integer geometry).
  const progress = ring.locator('.hb-ring-progress');
  assert.equal(await progress.getAttribute('pathLength'), '1000');
  assert.equal(await progress.getAttribute('stroke-dashoffset'), '0');
  // 30 s later (the app reads its clock every second): a quarter of the ring is unlit.
  await advance(page, 30_000);
  const left = Number(await ring.getAttribute('data-secs-left'));
  assert.ok(left === 90 || left === 91, `${left} s left after 30 s of 120`);
  const unlit = Number(await progress.getAttribute('stroke-dashoffset'));
  assert.equal(unlit, 1000 - Math.floor((left * 1000) / 120), `offset ${unlit} for ${left} s left`);
  await screenshot(page, 'recall-countdown');
  await resumeClock(page);

  // Recall asks first, naming the amount and the chat.
  assert.equal(await recallPacket(page, id), '将从“相亲相爱一家人”撤回 ¥10.00，退回你的零钱。');
  await trace(page, id).waitFor();
  const mine = await trace(page, id).innerText();
  assert.match(mine, /你于 (\d\d:\d\d) 撤回了红包，¥10\.00 已退回零钱/);
  const time = mine.match(/\d\d:\d\d/)[0];
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'recalled');
  assert.equal(await byTestId(page, 'recall-button').count(), 0);
  await screenshot(page, 'recall-trace-sender');

  const alice = await balance(page, 'alice');
  assert.equal(alice.fen, 100_000, 'the whole total is back');
  assert.deepEqual(alice.entries.filter((e) => e.packetId === id).map((e) => [e.kind, e.fen]),
    [['refund_recall', 1000], ['debit', -1000]]);

  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await trace(page, id).waitFor();
  assert.equal(await trace(page, id).innerText(), `红包已被发送者于 ${time} 撤回`);
  assert.match(await bubble(page, id).innerText(), /已撤回/);
  assert.equal(await byTestId(page, 'recall-button').count(), 0, 'only the sender may recall');
  await bubble(page, id).click();
  const screen = page.locator('[data-state-screen="recalled"]');
  await screen.waitFor();
  assert.match(await screen.locator('[data-testid="error-message"]').innerText(), new RegExp(`该红包已被发送者于 ${time} 撤回`));
  await screenshot(page, 'recall-trace-bob');
  assertNoErrors(page);
});

test('the Recall button disappears when the window closes', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1', window: '3' });
  await openChat(page, 'family');
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '3', count: 2, greeting: 'Short window' });
  await recallButton(page, id).waitFor();
  // The app reads its clock every second: 2 s in, the window is still open …
  await advance(page, 2000);
  assert.equal(await recallButton(page, id).count(), 1, 'it stayed for the window');
  // … and a second after it closed, button and countdown are gone.
  await advance(page, 2000);
  assert.equal(await byTestId(page, 'recall-button').count(), 0);
  assert.equal(await byTestId(page, 'recall-countdown').count(), 0);
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'open');
  await resumeClock(page);
  assertNoErrors(page);
});

test('window mode: the first claim closes the window', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1', recall: 'window' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '3', count: 3, greeting: 'Claim me' });
  await recallButton(page, id).waitFor();
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await claimPacket(page, id);
  await closeCard(page);
  await switchUser(page, 'alice');
  await openChat(page, 'family');
  await bubble(page, id).waitFor();
  // Alice's view of the packet knows of bob's claim (a view from before it would still show
  // the button until the chat is fetched again).
  await recallButton(page, id).waitFor({ state: 'detached' });
  assert.equal(await byTestId(page, 'recall-countdown').count(), 0);
  assertNoErrors(page);
});

test('remainder mode: recall after a claim refunds only the remainder', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1', recall: 'remainder' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '6', count: 3, greeting: 'Remainder' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const bobShare = fen(await claimPacket(page, id));
  await closeCard(page);
  await switchUser(page, 'alice');
  await openChat(page, 'family');
  // The dialog names what is still in the packet: the remainder.
  assert.equal(await recallPacket(page, id), `将从“相亲相爱一家人”撤回 ¥${((600 - bobShare) / 100).toFixed(2)}，退回你的零钱。`);
  await trace(page, id).waitFor();
  const alice = await balance(page, 'alice');
  assert.equal(alice.fen, 100_000 - bobShare);
  assert.deepEqual(alice.entries.filter((e) => e.kind === 'refund_recall').map((e) => e.fen), [600 - bobShare]);
  assert.equal((await balance(page, 'bob')).fen, 100_000 + bobShare, 'claimed shares stand');
  assertNoErrors(page);
});

test('delayed mode: recipients see "arriving in", the sender can recall until delivery', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1', recall: 'delayed', window: '60' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '2', count: 2, greeting: 'Later' });
  await recallButton(page, id).waitFor();
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'pending');
  assert.match(await bubble(page, id).innerText(), /即将到账 \d:\d\d/);
  await bubble(page, id).click();
  const pending = page.locator('[data-state-screen="pending"]');
  await pending.waitFor();
  assert.match(await pending.innerText(), /红包即将到账/);
  await screenshot(page, 'recall-delayed-pending');
  await closeCard(page);
  await switchUser(page, 'alice');
  await openChat(page, 'family');
  await recallPacket(page, id);
  await trace(page, id).waitFor();
  assert.equal((await balance(page, 'alice')).fen, 100_000);
  assertNoErrors(page);
});

test('under recall=none there is no countdown and no Recall button', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1', recall: 'none' });
  await openChat(page, 'family');
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '3', count: 3, greeting: 'No undo' });
  await bubble(page, id).waitFor();
  await advance(page, 2000); // two ticks of the app's clock: nothing comes up
  assert.equal(await byTestId(page, 'recall-button').count(), 0);
  assert.equal(await byTestId(page, 'recall-countdown').count(), 0);
  await screenshot(page, 'recall-none');
  await resumeClock(page);
  assertNoErrors(page);
});
