// The mock backend and the widget around it: motion and reduced motion, English everywhere,
// keyboard-only use, and the settings panel. (Failure injection: failures.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, installClock, pauseClock, advance, resumeClock } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimPacket, claimedAmount, fen, bubble, closeCard, setNumber } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const HAN = /[\u4e00-\u9fff]/;

/** Records every text the claimed amount shows, from its creation on. */
async function recordAmounts(page) {
  await page.evaluate(() => {
    window.__amounts = [];
    const seen = () => {
      const el = document.querySelector('[data-testid="claimed-amount"]');
      if (el && window.__amounts.at(-1) !== el.textContent) window.__amounts.push(el.textContent);
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** The claim's timing (src/flows/claim/logic.rs): 開 spins at least SPIN_MS, then the amount
 *  counts up for at most COUNT_UP_MS; the mock answers after LATENCY_MS (the `latency` setting). */
const LATENCY_MS = 400;
const SPIN_MS = 800;
const COUNT_UP_MS = 800;

/** Opens packet `id` as the current user and presses 開 with the page's clock paused, then
 *  moves the clock through the claim; returns what was observed on the way. */
async function openAndWatch(page, id) {
  await bubble(page, id).click();
  const open = byTestId(page, 'open-button');
  await open.waitFor();
  await recordAmounts(page);
  const idle = await open.evaluate((b) => getComputedStyle(b).animationName);
  await pauseClock(page);
  await open.click();
  // The request is in flight until the clock moves: spinning or not?
  const busy = await open.evaluate((b) => ({
    spinning: b.classList.contains('hb-open-button--spinning'),
    animation: getComputedStyle(b).animationName,
    busy: b.getAttribute('aria-busy'),
  }));
  await advance(page, LATENCY_MS); // the answer arrives
  const answered = await page.evaluate(() => ({
    open: !!document.querySelector('[data-testid="open-button"]'),
    amount: document.querySelector('[data-testid="claimed-amount"]')?.textContent ?? null,
  }));
  await advance(page, SPIN_MS + COUNT_UP_MS); // the rest of the spin, then the whole count-up
  const final = await byTestId(page, 'claimed-amount').innerText();
  const seen = await page.evaluate(() => window.__amounts);
  await resumeClock(page);
  return { idle, busy, answered, final, seen };
}

async function twoPackets(page, params) {
  await installClock(page);
  await openApp(page, server.url, { stages: '1', latency: String(LATENCY_MS), ...params });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '9.99', count: 2, greeting: 'Motion' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  return id;
}

test('with motion: 開 spins while the claim is in flight and the amount counts up', async () => {
  const page = await newPage(browser);
  const id = await twoPackets(page, {});
  const r = await openAndWatch(page, id);
  assert.equal(r.idle, 'none');
  assert.equal(r.busy.busy, 'true');
  assert.ok(r.busy.spinning, 'spinning class while in flight');
  assert.equal(r.busy.animation, 'hb-coin-spin');
  assert.deepEqual(r.answered, { open: true, amount: null }, 'still spinning when the answer comes first');
  assert.ok(r.seen.length > 2, `counted up: ${r.seen}`);
  assert.equal(r.seen[0], '¥0.00');
  assert.equal(r.seen.at(-1), r.final);
  assert.match(r.final, /^¥\d+\.\d\d$/);
  assertNoErrors(page);
});

for (const [name, setup] of [
  ['prefers-reduced-motion', async (page) => { await page.emulateMedia({ reducedMotion: 'reduce' }); return {}; }],
  ['motion=off', async () => ({ motion: 'off' })],
]) {
  test(`${name}: no spin, no count-up, the same information at once`, async () => {
    const page = await newPage(browser);
    const params = await setup(page);
    const id = await twoPackets(page, params);
    const r = await openAndWatch(page, id);
    assert.equal(r.busy.busy, 'true', 'the request was in flight');
    assert.equal(r.busy.spinning, false);
    assert.equal(r.busy.animation, 'none');
    assert.deepEqual(r.answered, { open: false, amount: r.final }, 'the amount shows with the answer');
    assert.deepEqual(r.seen, [r.final], 'the amount appears once, final');
    await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
    await screenshot(page, `claim-reduced-motion-${name === 'motion=off' ? 'setting' : 'system'}`);
    assertNoErrors(page);
  });
}

test('bots claim shares between 8 s and 40 s after a send, on the page\'s clock', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1', bots: 'on' });
  const storage = new URL(page.url()).searchParams.get('storage');
  const claimers = () => page.evaluate((k) => JSON.parse(localStorage.getItem(`hongbao:mock:${k}`)).ops
    .filter((o) => o.op === 'claim').map((o) => o.user), storage);
  await openChat(page, 'family');
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '10', count: 10, greeting: 'Bots' });
  await advance(page, 8_000 - 1);
  assert.deepEqual(await claimers(), [], 'a bot claimed within 8 s');
  await advance(page, 40_000 - 8_000 + 1);
  const bots = await claimers();
  assert.ok(bots.length > 0 && !bots.includes('alice'), `claimed by ${bots}`);
  assert.equal(new Set(bots).size, bots.length, 'one claim per bot');
  await advance(page, 60_000);
  assert.deepEqual(await claimers(), bots, 'no bot claims after 40 s');
  await resumeClock(page);
  // The sender's chat shows their claims.
  await bubble(page, id).click();
  await byTestId(page, 'details-toggle').click();
  await page.locator(`[data-testid="claim-list"] [data-user="${bots.at(-1)}"]`).waitFor();
  assert.equal(await byTestId(page, 'claim-item').count(), bots.length);
  assertNoErrors(page);
});

async function assertEnglish(page, where) {
  // Everything visible but the language switch (which offers 中文), user greetings (ASCII here)
  // and what is marked as Chinese on purpose (the 開 on the coin, lang="zh-Hant").
  const text = await page.locator('.hb-app').evaluate((app) => {
    const clone = app.cloneNode(true);
    clone.querySelector('[data-testid="lang-switch"]')?.remove();
    clone.querySelectorAll('[lang^="zh"]').forEach((el) => el.remove());
    document.body.appendChild(clone);
    const t = clone.innerText;
    clone.remove();
    return t;
  });
  assert.doesNotMatch(text, HAN, `Chinese on ${where}: ${text.match(new RegExp(`.{0,20}${HAN.source}.{0,20}`))?.[0]}`);
}

test('in English there is no Chinese on any screen', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '3' });
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  await byTestId(page, 'chat-family').waitFor();
  await assertEnglish(page, 'the chat list');

  await openChat(page, 'family');
  const lucky = await sendPacket(page, { kind: 'lucky', amount: '6.60', count: 3, greeting: 'Happy New Year' });
  const excl = await sendPacket(page, { kind: 'exclusive', amount: '1', recipient: 'carol', greeting: 'For Carol' });
  await byTestId(page, 'recall-countdown').first().waitFor();
  assert.match(await byTestId(page, 'recall-countdown').first().getAttribute('aria-label'), /seconds left to recall/);
  await assertEnglish(page, 'the chat with bubbles and the countdown');
  await screenshot(page, 'lang-en-chat');

  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, lucky).click();
  await byTestId(page, 'open-button').waitFor();
  // 開 on the coin in every language, named "Open".
  assert.equal(await byTestId(page, 'open-button').innerText(), '開');
  assert.equal(await byTestId(page, 'open-button').getAttribute('aria-label'), 'Open');
  await assertEnglish(page, 'the card');
  await closeCard(page);
  const text = await claimPacket(page, lucky);
  assert.match(text, /^¥/);
  await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
  await assertEnglish(page, 'the revealed amount');
  await screenshot(page, 'claim-revealed-en');
  await closeCard(page);
  await bubble(page, excl).click();
  await page.locator('[data-state-screen="not_for_you"]').waitFor();
  await assertEnglish(page, 'the not-for-you screen');
  await closeCard(page);

  await byTestId(page, 'tab-wallet').click();
  await page.locator('[data-testid="wallet-balance"][data-user="bob"]').waitFor();
  await byTestId(page, 'ledger-entry').first().waitFor();
  await assertEnglish(page, 'the wallet');
  await screenshot(page, 'wallet-en');

  await byTestId(page, 'settings').click();
  await byTestId(page, 'settings-panel').waitFor();
  await assertEnglish(page, 'the settings');
  await byTestId(page, 'clock-forward').click();
  await byTestId(page, 'reset-demo').waitFor();
  await assertEnglish(page, 'the settings after a fast-forward');
  await screenshot(page, 'settings-en');

  await openChat(page, 'family');
  await bubble(page, lucky).waitFor();
  await assertEnglish(page, 'the chat with expired packets');
  await bubble(page, excl).click();
  await page.locator('[data-state-screen="expired"]').waitFor();
  await assertEnglish(page, 'the expired screen');
  assertNoErrors(page);
});

/** Presses Tab until the element matching `selector` has the focus. */
async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('keyboard only: open a packet with Tab and Enter, claim it, close it; recall with the keyboard', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '3.33', count: 3, greeting: 'Keys' });
  const other = await sendPacket(page, { kind: 'lucky', amount: '1', count: 1, greeting: 'Undo' });

  // The sender recalls the second packet with the keyboard.
  await tabTo(page, `.hb-recall[data-packet-id="${other}"] [data-testid="recall-button"]`);
  await page.keyboard.press('Enter');
  // The confirmation opens with the focus on Cancel; Tab reaches Confirm.
  await byTestId(page, 'recall-dialog').waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'recall-cancel');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'recall-confirm');
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="recall-trace"][data-packet-id="${other}"]`).waitFor();

  // Bob (switched with the keyboard on the select) opens and claims the first.
  await byTestId(page, 'identity-switch').focus();
  await page.keyboard.press('ArrowDown'); // alice → bob
  await page.waitForFunction(() => document.querySelector('[data-testid="identity-switch"]').value === 'bob');
  await tabTo(page, `[data-testid="packet-bubble"][data-packet-id="${id}"]`);
  await page.keyboard.press('Enter');
  await byTestId(page, 'packet-card').waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'open-button');
  await screenshot(page, 'claim-keyboard-focus');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="claim-list"] [data-user="bob"]').waitFor();
  assert.ok(fen(await claimedAmount(page)) >= 1);
  // Focus stays in the card; Space works on buttons too; Escape closes.
  assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="packet-card"]')));
  await page.keyboard.press('Escape');
  await byTestId(page, 'packet-card').waitFor({ state: 'hidden' });
  await page.waitForFunction((id) => document.activeElement?.dataset?.packetId === id, id);
  await page.keyboard.press(' ');
  await page.locator('[data-state-screen="already_claimed"]').waitFor();
  // The dialog moves the focus in on the next frame; Escape is pressed where the user is.
  await page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="packet-card"]'));
  await page.keyboard.press('Escape');
  await byTestId(page, 'packet-card').waitFor({ state: 'hidden' });

  // The wallet by keyboard: the tab, then the entry leads back to the packet.
  await tabTo(page, '[data-testid="tab-wallet"]');
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="ledger-entry"][data-packet-id="${id}"] [data-testid="ledger-open"]`).waitFor();
  await tabTo(page, `[data-testid="ledger-entry"][data-packet-id="${id}"] [data-testid="ledger-open"]`);
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="packet-card"][data-packet-id="${id}"]`).waitFor();
  assertNoErrors(page);
});

test('the settings panel changes the policy of later sends, the motion and the language', async () => {
  const page = await newPage(browser);
  await installClock(page);
  await openApp(page, server.url, { stages: '1' });
  await byTestId(page, 'settings').click();
  for (const key of ['stages', 'auth', 'recall', 'window', 'split', 'motion', 'lang', 'latency', 'fail', 'bots']) {
    await byTestId(page, `setting-${key}`).waitFor();
  }
  assert.equal(await byTestId(page, 'setting-recall').inputValue(), 'window');
  await screenshot(page, 'settings-zh');

  await byTestId(page, 'setting-recall').selectOption('none');
  await openChat(page, 'family');
  await pauseClock(page);
  const a = await sendPacket(page, { kind: 'lucky', amount: '1', count: 1, greeting: 'No recall' });
  await advance(page, 2000); // two ticks of the app's clock: no countdown comes up
  assert.equal(await page.locator(`.hb-recall[data-packet-id="${a}"]`).count(), 0);
  await resumeClock(page);

  await byTestId(page, 'settings').click();
  await byTestId(page, 'setting-recall').selectOption('window');
  await setNumber(page, 'window', 7);
  assert.equal(await byTestId(page, 'setting-window').getAttribute('aria-invalid'), 'false');
  await setNumber(page, 'window', 0);
  assert.equal(await byTestId(page, 'setting-window').getAttribute('aria-invalid'), 'true');
  await openChat(page, 'family');
  const b = await sendPacket(page, { kind: 'lucky', amount: '1', count: 1, greeting: 'Seven seconds' });
  const ring = page.locator(`.hb-recall[data-packet-id="${b}"] [data-testid="recall-countdown"]`);
  await ring.waitFor();
  assert.ok(Number(await ring.getAttribute('data-secs-left')) <= 7);

  // Language from the settings, kept in step with the header's switch.
  await byTestId(page, 'settings').click();
  await byTestId(page, 'setting-lang').selectOption('en');
  await page.locator('.hb-app[lang="en"]').waitFor();
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="zh-CN"]').waitFor();
  assert.equal(await byTestId(page, 'setting-lang').inputValue(), 'zh');

  // Motion off from the settings: the amount appears at once.
  await byTestId(page, 'setting-motion').uncheck();
  await openChat(page, 'family');
  const c = await sendPacket(page, { kind: 'lucky', amount: '2', count: 1, greeting: 'Still' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, c).click();
  await recordAmounts(page);
  await pauseClock(page);
  await byTestId(page, 'open-button').click();
  await byTestId(page, 'claimed-amount').waitFor();
  await advance(page, SPIN_MS + COUNT_UP_MS); // no spin and no count-up to wait for
  assert.deepEqual(await page.evaluate(() => window.__amounts), ['¥2.00']);
  await resumeClock(page);
  assertNoErrors(page);
});
