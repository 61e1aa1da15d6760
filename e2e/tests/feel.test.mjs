// The WeChat feel (issue 16, items 3–5): one face per person, 開 on the coin, the PIN sheet
// with what it authorizes and its pad on the bottom edge, ledger rows that name their packet,
// local times, income in red in Chinese, the recall confirmation, and the copy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, installClock, pauseClock, advance, resumeClock } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimPacket, claimedAmount, closeCard, fillEntry, enterPin, bubble } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const RED = 'rgb(200, 16, 46)'; // --hb-red
const GREEN = 'rgb(30, 107, 46)';

const background = (locator) => locator.first().evaluate((e) => getComputedStyle(e).backgroundColor);

/** Back to the chat list (the Chats tab, or Back from a chat). */
async function chatList(page) {
  const tab = byTestId(page, 'tab-chats');
  if (await tab.count()) await tab.click();
  else await byTestId(page, 'back-button').click();
  await byTestId(page, 'chat-family').waitFor();
}

async function switchLang(page, lang) {
  if (await page.locator(`.hb-app[lang^="${lang}"]`).count()) return;
  await byTestId(page, 'lang-switch').click();
  await page.locator(`.hb-app[lang^="${lang}"]`).waitFor();
}

test('one face per person: the same colour in the chat list, the chat, the card and the details, whoever looks', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await openApp(page, server.url, { stages: '1' });
  const bobInAlicesList = await background(page.locator('[data-testid="chat-alice-bob"] [data-face="bob"]'));
  const carolInAlicesList = await background(page.locator('[data-testid="chat-alice-carol"] [data-face="carol"]'));
  // The group's avatar: its first four members' faces (as WeChat draws a group), no emoji.
  const groupFace = page.locator('[data-testid="chat-family"] [data-face="family"]');
  assert.deepEqual(await groupFace.locator('[data-member]').evaluateAll((tiles) => tiles.map((t) => t.dataset.member)),
    ['alice', 'bob', 'carol', 'dave']);
  const bobInTheGroupFace = await background(groupFace.locator('[data-member="bob"]'));
  assert.doesNotMatch(await groupFace.innerText(), /\p{Extended_Pictographic}/u);
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '3', count: 3, greeting: 'Faces' });
  const aliceInHerChat = await background(page.locator(`.hb-msg[data-packet-id="${id}"] [data-face="alice"]`));
  await screenshot(page, 'feel-faces-alice-chat-phone-zh');

  // Bob looks: alice's card, his own claim in the details, his own packet, his chat list.
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  const aliceInBobsChat = await background(page.locator(`.hb-msg[data-packet-id="${id}"] [data-face="alice"]`));
  await claimPacket(page, id);
  const aliceOnTheCard = await background(page.locator('[data-testid="packet-card"] .hb-card-avatar[data-face="alice"]'));
  const bobInDetails = await background(page.locator('[data-testid="claim-item"][data-user="bob"] [data-face="bob"]'));
  await screenshot(page, 'feel-faces-card-details-phone-zh');
  await closeCard(page);
  const mine = await sendPacket(page, { kind: 'lucky', amount: '2', count: 2, greeting: 'Bob too' });
  const bobInHisChat = await background(page.locator(`.hb-msg[data-packet-id="${mine}"] [data-face="bob"]`));
  await chatList(page);
  const aliceInBobsList = await background(page.locator('[data-testid="chat-alice-bob"] [data-face="alice"]'));
  const carolInBobsList = await background(page.locator('[data-testid="chat-bob-carol"] [data-face="carol"]'));
  await screenshot(page, 'feel-faces-bob-list-phone-zh');

  // Back as alice: switching identity recolours no one.
  await switchUser(page, 'alice');
  await openChat(page, 'family');
  const bobInAlicesChat = await background(page.locator(`.hb-msg[data-packet-id="${mine}"] [data-face="bob"]`));
  const aliceAgain = await background(page.locator(`.hb-msg[data-packet-id="${id}"] [data-face="alice"]`));

  const alice = [aliceInHerChat, aliceInBobsChat, aliceOnTheCard, aliceInBobsList, aliceAgain];
  const bob = [bobInAlicesList, bobInDetails, bobInHisChat, bobInAlicesChat, bobInTheGroupFace];
  assert.equal(new Set(alice).size, 1, `alice: ${alice}`);
  assert.equal(new Set(bob).size, 1, `bob: ${bob}`);
  assert.equal(carolInAlicesList, carolInBobsList);
  assert.notEqual(alice[0], bob[0], 'two people, two colours');
  for (const colour of [alice[0], bob[0]]) assert.notEqual(colour, 'rgba(0, 0, 0, 0)');
  assertNoErrors(page);
});

for (const [lang, name] of [['zh', '开'], ['en', 'Open']]) {
  test(`開 is on the coin in ${lang}, fits inside it, and is named ${name}`, async () => {
    const page = await newPage(browser, { viewport: PHONE });
    await openApp(page, server.url, { stages: '1', lang });
    await openChat(page, 'family');
    const id = await sendPacket(page, { kind: 'lucky', amount: '3', count: 3, greeting: 'Coin' });
    await switchUser(page, 'bob');
    await openChat(page, 'family');
    await bubble(page, id).click();
    const coin = byTestId(page, 'open-button');
    await coin.waitFor();
    assert.equal((await coin.innerText()).trim(), '開');
    assert.equal(await coin.getAttribute('aria-label'), name);
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1);
    // The glyph's box (a range over its text) lies inside the coin's box.
    const box = await coin.evaluate((b) => {
      const range = document.createRange();
      range.selectNodeContents(b.querySelector('.hb-open-face'));
      const t = range.getBoundingClientRect();
      const c = b.getBoundingClientRect();
      return { text: [t.left, t.top, t.right, t.bottom], coin: [c.left, c.top, c.right, c.bottom] };
    });
    const [tl, tt, tr, tb] = box.text;
    const [cl, ct, cr, cb] = box.coin;
    assert.ok(tl >= cl - 0.5 && tt >= ct - 0.5 && tr <= cr + 0.5 && tb <= cb + 0.5, JSON.stringify(box));
    assert.ok(tr - tl > 10, `the glyph has a width: ${JSON.stringify(box)}`);
    await screenshot(page, `feel-coin-phone-${lang}`);
    assertNoErrors(page);
  });
}

test('the PIN sheet repeats to whom, which kind and how much, with the pad on the bottom edge', async () => {
  for (const [lang, viewport, size] of [['zh', PHONE, 'phone'], ['en', DESKTOP, 'desktop']]) {
    const page = await newPage(browser, { viewport });
    await openApp(page, server.url, { stages: '3', auth: 'pin', lang });
    const cases = lang === 'zh'
      ? [['family', { kind: 'lucky', amount: '10', count: 3 }, '发给 相亲相爱一家人', '拼手气红包', '¥10.00']]
      : [['alice-bob', { kind: 'personal', amount: '6.6' }, 'To Bob', 'Personal', '¥6.60'],
        ['family', { kind: 'normal', amount: '2', count: 3 }, 'To Family', 'Normal', '¥6.00']];
    for (const [chat, entry, to, kind, amount] of cases) {
      await openChat(page, chat);
      const before = await byTestId(page, 'packet-bubble').count();
      await fillEntry(page, entry);
      await byTestId(page, 'next-button').click();
      await byTestId(page, 'confirm-button').click();
      const pad = byTestId(page, 'pin-pad');
      await pad.waitFor();
      assert.equal(await byTestId(page, 'auth-to').innerText(), to);
      assert.equal(await byTestId(page, 'auth-kind').innerText(), kind);
      assert.equal(await byTestId(page, 'auth-amount').innerText(), amount);
      // The keys sit on the sheet's bottom edge; on a phone the sheet on the screen's.
      await page.waitForFunction(() => document.querySelector('.hb-send')?.getAnimations().length === 0);
      const edges = await page.evaluate(() => ({
        keys: document.querySelector('.hb-pin-keys').getBoundingClientRect().bottom,
        sheet: document.querySelector('[data-testid="send-flow"]').getBoundingClientRect().bottom,
        viewport: window.innerHeight,
      }));
      assert.ok(Math.abs(edges.keys - edges.sheet) <= 1, JSON.stringify(edges));
      if (size === 'phone') assert.ok(Math.abs(edges.sheet - edges.viewport) <= 1, JSON.stringify(edges));
      await screenshot(page, `feel-pin-${size}-${lang}-${entry.kind}`);
      await enterPin(page);
      await byTestId(page, 'packet-bubble').nth(before).waitFor();
    }
    assertNoErrors(page);
    await page.context().close();
  }
});

test('ledger rows name the chat, greeting and kind, in local time; income is red in Chinese, green in English unless chosen', async () => {
  const page = await newPage(browser, { viewport: PHONE, timezoneId: 'America/New_York' });
  await openApp(page, server.url, { stages: '1' });
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '6', count: 2, greeting: 'Ledger' });
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await claimPacket(page, id);
  await closeCard(page);
  await byTestId(page, 'tab-wallet').click();
  const row = page.locator(`[data-testid="ledger-entry"][data-kind="credit"][data-packet-id="${id}"]`);
  const about = row.locator('[data-testid="ledger-packet"]');
  await page.waitForFunction((id) => document.querySelector(
    `[data-testid="ledger-entry"][data-kind="credit"][data-packet-id="${id}"] [data-testid="ledger-packet"]`,
  )?.textContent.includes('·'), id);
  assert.equal(await about.innerText(), '相亲相爱一家人 · Ledger · 拼手气红包');
  assert.doesNotMatch(await row.innerText(), /#\d/);
  // The row's button is named by what it shows (label in name, WCAG 2.5.3).
  assert.equal(await row.getByRole('button', { name: /领取红包.*相亲相爱一家人 · Ledger · 拼手气红包/ }).count(), 1);
  // The time is the viewer's (New York here), not China's.
  const shown = await row.locator('[data-testid="ledger-time"]').innerText();
  const local = await page.evaluate(() => {
    const two = (n) => String(n).padStart(2, '0');
    const f = (d) => `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
    return [0, 1, 2].map((m) => f(new Date(Date.now() - m * 60_000)));
  });
  assert.ok(local.includes(shown), `${shown} is not local time (${local})`);
  const amount = row.locator('[data-testid="ledger-amount"]');
  assert.equal(await amount.evaluate((e) => getComputedStyle(e).color), RED, 'income in red in Chinese');
  await screenshot(page, 'feel-wallet-phone-zh');

  await switchLang(page, 'en');
  await page.locator(`[data-testid="ledger-entry"][data-packet-id="${id}"] [data-testid="ledger-packet"]`, { hasText: 'Family · Ledger · Lucky packet' }).waitFor();
  assert.equal(await amount.evaluate((e) => getComputedStyle(e).color), GREEN, 'income in green in English');
  await screenshot(page, 'feel-wallet-phone-en');
  // The setting: red in English too.
  await byTestId(page, 'settings').click();
  await byTestId(page, 'setting-income').selectOption('red');
  await byTestId(page, 'tab-wallet').click();
  await amount.waitFor();
  assert.equal(await amount.evaluate((e) => getComputedStyle(e).color), RED);

  // The sender's debit row names the packet too.
  await switchUser(page, 'alice');
  await page.locator(`[data-testid="ledger-entry"][data-kind="debit"][data-packet-id="${id}"] [data-testid="ledger-packet"]`, { hasText: 'Family · Ledger · Lucky packet' }).waitFor();
  assertNoErrors(page);
});

test('recall asks first, naming the amount and the chat, while the countdown runs on; Cancel keeps the packet', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await installClock(page);
  await openApp(page, server.url, { stages: '1', lang: 'en', window: '30' });
  await openChat(page, 'family');
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '10', count: 3, greeting: 'Second thoughts' });
  await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
  const dialog = page.locator(`[data-testid="recall-dialog"][data-packet-id="${id}"]`);
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('role'), 'dialog');
  assert.equal(await dialog.locator('[data-testid="recall-dialog-text"]').innerText(),
    '¥10.00 will be recalled from Family and go back to your wallet.');
  const secs = dialog.locator('[data-testid="recall-dialog-countdown"]');
  assert.equal(await secs.getAttribute('data-secs-left'), '30');
  // Five seconds on, in the dialog and in the ring under the bubble alike.
  await advance(page, 5000);
  const left = Number(await secs.getAttribute('data-secs-left'));
  assert.ok(left === 25 || left === 26, `${left} s left after 5 s of 30`);
  assert.match(await secs.innerText(), new RegExp(`^${left} seconds left to recall$`));
  assert.equal(await byTestId(page, 'recall-countdown').getAttribute('data-secs-left'), String(left));
  await screenshot(page, 'feel-recall-dialog-phone-en');
  await dialog.locator('[data-testid="recall-cancel"]').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'open');
  assert.equal(await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).count(), 1);
  // Escape closes it too, and changes nothing. The focus moves into the dialog on the next
  // animation frame (Cancel, the safe choice): let the paused clock run that far.
  await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
  await dialog.waitFor();
  await advance(page, 100);
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'recall-cancel');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'open');
  await resumeClock(page);
  assertNoErrors(page);
});

test('confirming at the last second of the window recalls', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await installClock(page);
  await openApp(page, server.url, { stages: '1', window: '10' });
  await openChat(page, 'family');
  await pauseClock(page);
  const id = await sendPacket(page, { kind: 'lucky', amount: '8', count: 2, greeting: 'Last second' });
  // The clock is paused: the packet was sent now, and its window closes 10 s later.
  const sent = await page.evaluate(() => Date.now());
  const ring = page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-countdown"]`);
  await ring.waitFor();
  // To 1 ms before the window closes: the app's clock ticks every second, so its last tick
  // was within the window's last second, and the ring shows 1.
  await advance(page, 10_000 - 1);
  assert.equal(await page.evaluate(() => Date.now()), sent + 10_000 - 1);
  assert.equal(await ring.getAttribute('data-secs-left'), '1');
  await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
  const dialog = page.locator(`[data-testid="recall-dialog"][data-packet-id="${id}"]`);
  await dialog.waitFor();
  assert.equal(await dialog.locator('[data-testid="recall-dialog-text"]').innerText(), '将从“相亲相爱一家人”撤回 ¥8.00，退回你的零钱。');
  assert.equal(await dialog.locator('[data-testid="recall-dialog-countdown"]').innerText(), '还可撤回 1 秒');
  await dialog.locator('[data-testid="recall-confirm"]').click();
  const trace = page.locator(`[data-testid="recall-trace"][data-packet-id="${id}"]`);
  await trace.waitFor();
  assert.match(await trace.innerText(), /¥8\.00 已退回零钱/);
  assert.equal(await bubble(page, id).getAttribute('data-state'), 'recalled');
  await resumeClock(page);
  assertNoErrors(page);
});

test('copy: the slip says 10× or 100×, 520 is not 一生一世, a 1:1 520 names its days, Send red packet, spaced amounts', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  // An ordinary day (not 5/20, 2/14 or Qixi), China time.
  await installClock(page, new Date('2026-03-03T04:00:00Z'));
  await openApp(page, server.url, { stages: '2' });
  await openChat(page, 'family');
  assert.match(await byTestId(page, 'new-packet').innerText(), /发红包$/);
  // Spaces, no-break spaces and narrow no-break spaces group digits like commas (the whole
  // balance, before anything is sent).
  for (const typed of ['1 000', '1\u00a0000', '1\u202f000']) {
    await fillEntry(page, { kind: 'lucky', amount: typed, count: 10 });
    await page.locator('[data-testid="total-preview"]', { hasText: '¥1,000.00' }).waitFor();
    await byTestId(page, 'next-button').click();
    await byTestId(page, 'review-sheet').waitFor();
    assert.match(await byTestId(page, 'review-total').innerText(), /¥1,000\.00/, JSON.stringify(typed));
    await byTestId(page, 'edit-button').click();
  }
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await sendPacket(page, { kind: 'lucky', amount: '1.88', count: 1 });

  const warning = async (code) => {
    await byTestId(page, 'next-button').click();
    await byTestId(page, 'review-sheet').waitFor();
    const text = await page.locator(`[data-testid="warning"][data-code="${code}"] [data-testid="warning-text"]`).innerText();
    await byTestId(page, 'edit-button').click();
    return text;
  };
  await fillEntry(page, { kind: 'lucky', amount: '18.80', count: 1 });
  assert.equal(await warning('decimal_slip'), '¥18.80 恰好是你平时金额 ¥1.88 的 10 倍：小数点是不是输错了？');
  await fillEntry(page, { kind: 'lucky', amount: '188', count: 1 });
  assert.equal(await warning('decimal_slip'), '¥188.00 恰好是你平时金额 ¥1.88 的 100 倍：小数点是不是输错了？');
  await fillEntry(page, { kind: 'lucky', amount: '520', count: 10 });
  const love = await warning('romantic');
  assert.match(love, /我爱你/);
  assert.doesNotMatch(love, /一生一世/);
  await fillEntry(page, { kind: 'lucky', amount: '13.14', count: 10 });
  const forever = await warning('romantic');
  assert.match(forever, /一生一世/);
  assert.doesNotMatch(forever, /我爱你/);
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });

  // A 1:1 520 is refused today, and the refusal says when it is allowed.
  await openChat(page, 'alice-bob');
  await fillEntry(page, { kind: 'personal', amount: '520' });
  const error = byTestId(page, 'error-message');
  await error.waitFor();
  assert.equal(await error.innerText(), '金额超过上限 ¥200.00；5月20日、2月14日和七夕，个人红包最多可发 ¥520.00');
  await screenshot(page, 'feel-520-refused-phone-zh');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });

  await switchLang(page, 'en');
  assert.match(await byTestId(page, 'new-packet').innerText(), /Send red packet$/);
  await fillEntry(page, { kind: 'personal', amount: '520' });
  await page.locator('[data-testid="error-message"]', { hasText: 'Qixi' }).waitFor();
  assert.equal(await error.innerText(), 'The amount is above the limit of ¥200.00; on 5/20, 2/14 and Qixi a personal packet may be up to ¥520.00');
  await screenshot(page, 'feel-520-refused-phone-en');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await openChat(page, 'family');
  await fillEntry(page, { kind: 'lucky', amount: '18.80', count: 1 });
  assert.equal(await warning('decimal_slip'), '¥18.80 is exactly 10× your usual ¥1.88: is the decimal point in the right place?');
  await fillEntry(page, { kind: 'lucky', amount: '5.20', count: 1 });
  assert.equal(await warning('romantic'), '¥5.20 reads as “I love you” in Chinese. Is that what you mean here?');
  assertNoErrors(page);
});

test('screenshots: chats, PIN, recall dialog, card and wallet at phone and desktop sizes, in both languages', async () => {
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    for (const lang of ['zh', 'en']) {
      const page = await newPage(browser, { viewport });
      const tag = `${size}-${lang}`;
      await openApp(page, server.url, { stages: '3', lang });
      await screenshot(page, `feel-chats-${tag}`);
      await openChat(page, 'family');
      await fillEntry(page, { kind: 'lucky', amount: '8.88', count: 3, greeting: lang === 'zh' ? '新年快乐' : 'Happy New Year' });
      await byTestId(page, 'next-button').click();
      await byTestId(page, 'confirm-button').click();
      await byTestId(page, 'pin-pad').waitFor();
      await page.waitForFunction(() => document.querySelector('.hb-send')?.getAnimations().length === 0);
      await screenshot(page, `feel-pin-${tag}`);
      await enterPin(page);
      await byTestId(page, 'packet-bubble').first().waitFor();
      const id = await byTestId(page, 'packet-bubble').first().getAttribute('data-packet-id');
      await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
      await byTestId(page, 'recall-dialog').waitFor();
      await screenshot(page, `feel-recall-${tag}`);
      await byTestId(page, 'recall-cancel').click();
      await byTestId(page, 'recall-dialog').waitFor({ state: 'detached' });
      await switchUser(page, 'bob');
      await openChat(page, 'family');
      await bubble(page, id).click();
      await byTestId(page, 'open-button').waitFor();
      await screenshot(page, `feel-card-${tag}`);
      await byTestId(page, 'open-button').click();
      await claimedAmount(page);
      await screenshot(page, `feel-card-claimed-${tag}`);
      await closeCard(page);
      await screenshot(page, `feel-chat-${tag}`);
      await byTestId(page, 'tab-wallet').click();
      await page.locator('[data-testid="ledger-packet"]', { hasText: '·' }).first().waitFor();
      await screenshot(page, `feel-wallet-${tag}`);
      assertNoErrors(page);
      await page.context().close();
    }
  }
});
