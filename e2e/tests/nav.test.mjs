// Navigation and layout (issue 16, items 1 and 2): routes in the hash (src/nav), the browser's
// Back and Forward, reloads and deep links on a plain static server; the language and user kept
// across reloads (the URL wins); the phone layout, the wide one (chat list beside the chat) and
// the phone frame on request; no text overflowing its box.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, waitForApp, screenshot, assertNoErrors, byTestId, settled } from '../lib/harness.mjs';
import { openChat, sendPacket, bubble } from '../lib/flows.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const storageKey = () => `nav${Date.now()}${Math.floor(Math.random() * 1e6)}`;

/** The app's URL with these settings and this hash. */
function appUrl(params = {}, hash = '') {
  const query = new URLSearchParams({ latency: '0', bots: 'off', ...params });
  return `${server.url}/?${query}${hash}`;
}

/** Another page in `page`'s browser context (same localStorage: the same mock world). */
async function pageBeside(page) {
  const other = await page.context().newPage();
  other.errors = [];
  other.on('console', (msg) => { if (msg.type() === 'error') other.errors.push(`console: ${msg.text()}`); });
  other.on('pageerror', (err) => other.errors.push(`pageerror: ${err.message}`));
  return other;
}

const waitHash = (page, hash) => page.waitForFunction((h) => location.hash === h, hash);

/** Back (or Forward), then waits for the hash the entry has. */
async function back(page, hash) {
  await page.goBack();
  if (hash !== undefined) await waitHash(page, hash);
}
async function forward(page, hash) {
  await page.goForward();
  await waitHash(page, hash);
}

/** A family packet sent by alice in a new mock world; returns the page (on the chat) and its id. */
async function worldWithPacket(viewport) {
  const page = await newPage(browser, { viewport });
  const storage = storageKey();
  await page.goto(appUrl({ stages: '1', storage }));
  await waitForApp(page);
  await openChat(page, 'family');
  const id = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'Nav' });
  return { page, storage, id };
}

test('opening a chat, the sheet and a card pushes entries; Back and Forward walk them; a reload keeps the place', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(appUrl({ stages: '1', storage: storageKey() }));
  await waitForApp(page);
  await waitHash(page, '#/');

  await byTestId(page, 'chat-family').click();
  await waitHash(page, '#/chat/family');
  await byTestId(page, 'new-packet').click();
  await byTestId(page, 'send-flow').waitFor();
  await waitHash(page, '#/chat/family/send');
  // Back closes the sheet, Forward opens it again, and closing it in the app is Back.
  await back(page, '#/chat/family');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await forward(page, '#/chat/family/send');
  await byTestId(page, 'send-flow').waitFor();
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await waitHash(page, '#/chat/family');

  const id = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'Nav' });
  await waitHash(page, '#/chat/family');
  await bubble(page, id).click();
  await byTestId(page, 'packet-card').waitFor();
  await waitHash(page, `#/chat/family/packet/${id}`);

  await back(page, '#/chat/family');
  await byTestId(page, 'packet-card').waitFor({ state: 'detached' });
  await back(page, '#/');
  await byTestId(page, 'chat-view-family').waitFor({ state: 'detached' });
  await byTestId(page, 'chat-family').waitFor();
  await forward(page, '#/chat/family');
  await byTestId(page, 'chat-view-family').waitFor();
  await forward(page, `#/chat/family/packet/${id}`);
  await byTestId(page, 'packet-card').waitFor();

  await page.reload();
  await waitForApp(page);
  await byTestId(page, 'packet-card').waitFor();
  await byTestId(page, 'chat-view-family').waitFor();
  assert.equal(await page.evaluate(() => location.hash), `#/chat/family/packet/${id}`);

  // The in-app back button is Back too; Back from the chat list leaves the app.
  await page.keyboard.press('Escape');
  await byTestId(page, 'packet-card').waitFor({ state: 'detached' });
  await waitHash(page, '#/chat/family');
  await byTestId(page, 'back-button').click();
  await waitHash(page, '#/');
  await byTestId(page, 'chat-family').waitFor();
  await page.goBack();
  await page.waitForURL('about:blank');
  assertNoErrors(page);
});

test('a layer closed and another opened before the Back lands: the new one stays, and the entries stay in order', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  // The app's Back (closing a layer is `history.back()`) is asynchronous; here it waits until
  // the test lets it go, so the next layer opens while it is under way, every time.
  await page.addInitScript(() => {
    const back = History.prototype.back;
    window.__heldBacks = [];
    History.prototype.back = function () { window.__heldBacks.push(() => back.call(this)); };
  });
  const release = () => page.evaluate(() => { const held = window.__heldBacks.splice(0); held.forEach((go) => go()); return held.length; });
  await page.goto(appUrl({ stages: '1', storage: storageKey() }));
  await waitForApp(page);
  await openChat(page, 'family');
  await waitHash(page, '#/chat/family');

  // Two sends, the second sheet opened while the first one's Back is held.
  const first = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'One' });
  assert.equal(await release(), 1, 'closing the sheet went Back');
  await waitHash(page, '#/chat/family');
  await byTestId(page, 'new-packet').click();
  await byTestId(page, 'send-flow').waitFor();
  await waitHash(page, '#/chat/family/send');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await byTestId(page, 'new-packet').click();
  await byTestId(page, 'send-flow').waitFor();
  assert.equal(await release(), 1);
  // The Back landed on the chat; the sheet is still open, and the URL says so again.
  await waitHash(page, '#/chat/family/send');
  await settled(page);
  assert.equal(await byTestId(page, 'send-flow').count(), 1, 'the sheet opened meanwhile stays open');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  assert.equal(await release(), 1);
  await waitHash(page, '#/chat/family');

  // A card closed with Escape and another opened at once (mock.test.mjs's English walk).
  const second = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'Two' });
  assert.equal(await release(), 1);
  await waitHash(page, '#/chat/family');
  await bubble(page, first).click();
  await page.locator(`[data-testid="packet-card"][data-packet-id="${first}"]`).waitFor();
  await waitHash(page, `#/chat/family/packet/${first}`);
  await page.keyboard.press('Escape');
  await byTestId(page, 'packet-card').waitFor({ state: 'detached' });
  await bubble(page, second).click();
  const card = page.locator(`[data-testid="packet-card"][data-packet-id="${second}"]`);
  await card.waitFor();
  assert.equal(await release(), 1);
  await waitHash(page, `#/chat/family/packet/${second}`);
  await settled(page);
  assert.equal(await card.count(), 1, 'the card opened meanwhile stays open');
  // Escape closes it, and Back from the chat is the chat list: no stale card entry in between.
  await page.keyboard.press('Escape');
  await card.waitFor({ state: 'detached' });
  assert.equal(await release(), 1);
  await waitHash(page, '#/chat/family');
  // (The browser's own Back is not held: it is not `history.back()` in the page.)
  await back(page, '#/');
  await byTestId(page, 'chat-family').waitFor();
  assertNoErrors(page);
});

test('the tabs are entries too, and each deep link opens its place, survives a reload and walks Back and Forward', async () => {
  const { page, storage, id } = await worldWithPacket(PHONE);
  await byTestId(page, 'tab-wallet').click();
  await waitHash(page, '#/wallet');
  await byTestId(page, 'settings').click();
  await waitHash(page, '#/settings');
  await back(page, '#/wallet');
  await byTestId(page, 'wallet-balance').waitFor();
  assertNoErrors(page);

  // [hash, what shows, the entries Back walks through before leaving the app]
  const links = [
    ['#/chat/family', 'chat-view-family', ['#/']],
    [`#/chat/family/packet/${id}`, 'packet-card', ['#/chat/family', '#/']],
    [`#/packet/${id}`, 'packet-card', ['#/']],
    ['#/wallet', 'wallet-balance', []],
    ['#/settings', 'setting-stages', []],
    ['#/chat/family/send', 'send-flow', ['#/chat/family', '#/']],
  ];
  for (const [hash, shows, below] of links) {
    const link = await pageBeside(page);
    await link.goto(appUrl({ stages: '1', storage }, hash));
    await waitForApp(link);
    await byTestId(link, shows).waitFor();
    assert.equal(await link.evaluate(() => location.hash), hash);
    await link.reload();
    await waitForApp(link);
    await byTestId(link, shows).waitFor();
    assert.equal(await link.evaluate(() => location.hash), hash, `${hash} after a reload`);
    // Back closes the layers one by one, then leaves the app, as from any page.
    for (const under of below) {
      await back(link, under);
      await byTestId(link, shows).waitFor({ state: 'detached' });
    }
    await link.goBack();
    await link.waitForURL('about:blank');
    // Forward comes back to the first entry, then up to the deep link again.
    const entries = [...below].reverse().concat([hash]);
    await link.goForward();
    await waitForApp(link);
    await waitHash(link, entries[0]);
    for (const next of entries.slice(1)) await forward(link, next);
    await byTestId(link, shows).waitFor();
    assertNoErrors(link);
    await link.close();
  }
});

test('a hash that is no route, or a chat the user is not in, shows the chat list', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(appUrl({ storage: storageKey() }, '#/nowhere/at/all'));
  await waitForApp(page);
  await byTestId(page, 'chat-family').waitFor();
  await waitHash(page, '#/');
  const carol = await pageBeside(page);
  await carol.goto(appUrl({ user: 'carol', storage: storageKey() }, '#/chat/alice-bob'));
  await waitForApp(carol);
  await byTestId(carol, 'chat-family').waitFor();
  await waitHash(carol, '#/');
  assertNoErrors(page);
  assertNoErrors(carol);
});

test('the language and the acting user persist across reloads, and the URL wins', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(appUrl({ storage: storageKey() }));
  await waitForApp(page);
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  await byTestId(page, 'identity-switch').selectOption('bob');
  await page.waitForFunction(() => document.querySelector('[data-testid="identity-switch"]').value === 'bob');

  await page.reload();
  await waitForApp(page);
  await page.locator('.hb-app[lang="en"]').waitFor();
  assert.equal(await byTestId(page, 'identity-switch').inputValue(), 'bob');

  const url = new URL(page.url());
  url.searchParams.set('lang', 'zh');
  url.searchParams.set('user', 'carol');
  await page.goto(url.href);
  await waitForApp(page);
  await page.locator('.hb-app[lang="zh-CN"]').waitFor();
  assert.equal(await byTestId(page, 'identity-switch').inputValue(), 'carol');
  assertNoErrors(page);
});

/** The element's box. */
const box = async (locator) => {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element has a box');
  return b;
};

test('desktop: the chat list beside the open chat, the sheet and the card centred', async () => {
  const { page, id } = await worldWithPacket(DESKTOP);
  // Two panes from the start: the list on the left, the chat on the right, side by side.
  const list = byTestId(page, 'list-pane');
  const chat = byTestId(page, 'chat-view-family');
  const [l, c] = [await box(list), await box(chat)];
  assert.ok(l.x + l.width <= c.x + 1, `list ${JSON.stringify(l)} left of chat ${JSON.stringify(c)}`);
  assert.ok(l.width >= 240 && c.width >= 600, `widths ${l.width} ${c.width}`);
  assert.ok(l.y < c.y + c.height && c.y < l.y + l.height, 'side by side, not stacked');
  assert.ok(c.x + c.width <= DESKTOP.width + 1);
  assert.equal(await byTestId(page, 'back-button').count(), 0, 'no back button beside the list');
  assert.equal(await byTestId(page, 'chat-family').getAttribute('aria-current'), 'page');
  // The whole window: no frame around the app.
  const frame = await box(byTestId(page, 'app-frame'));
  assert.deepEqual([frame.x, frame.y, frame.width, frame.height], [0, 0, DESKTOP.width, DESKTOP.height]);
  await screenshot(page, 'nav-desktop-chat-zh');

  // The chat list alone: the list and an invitation to pick a chat.
  await page.goto(page.url().replace(/#.*$/, '#/'));
  await byTestId(page, 'pick-chat').waitFor();
  await byTestId(page, 'list-pane').waitFor();
  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  await waitHash(page, '#/chat/family');

  // The sheet and the card are dialogs in the middle of the window.
  const centred = async (testid) => {
    // Measured where it comes to rest (it slides in).
    await byTestId(page, testid).evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    const b = await box(byTestId(page, testid));
    assert.ok(Math.abs(b.x + b.width / 2 - DESKTOP.width / 2) <= 2, `${testid} centred across: ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.y + b.height / 2 - DESKTOP.height / 2) <= 2, `${testid} centred down: ${JSON.stringify(b)}`);
    assert.ok(b.width <= 480, `${testid} is a dialog, not a full-width sheet`);
  };
  await byTestId(page, 'new-packet').click();
  await byTestId(page, 'send-flow').waitFor();
  await centred('send-flow');
  await screenshot(page, 'nav-desktop-send-zh');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });
  await bubble(page, id).click();
  await byTestId(page, 'packet-card').waitFor();
  await centred('packet-card');
  await page.keyboard.press('Escape');
  await byTestId(page, 'packet-card').waitFor({ state: 'detached' });

  // The other tabs use the whole width right of the tab bar.
  await byTestId(page, 'tab-wallet').click();
  await byTestId(page, 'wallet-balance').waitFor();
  assert.equal(await byTestId(page, 'list-pane').count(), 0);

  await byTestId(page, 'tab-chats').click();
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  await screenshot(page, 'nav-desktop-chat-en');
  assertNoErrors(page);
});

test('phone: one screen at a time across the whole window', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(appUrl({ storage: storageKey() }));
  await waitForApp(page);
  const frame = await box(byTestId(page, 'app-frame'));
  assert.deepEqual([frame.x, frame.y, frame.width, frame.height], [0, 0, PHONE.width, PHONE.height]);
  assert.equal(await byTestId(page, 'list-pane').count(), 0);
  const row = await box(byTestId(page, 'chat-family'));
  assert.equal(row.width, PHONE.width);
  await screenshot(page, 'nav-phone-chats-zh');
  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  assert.equal(await byTestId(page, 'chat-family').count(), 0, 'the chat replaces the list');
  await byTestId(page, 'back-button').waitFor();
  await screenshot(page, 'nav-phone-chat-zh');
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  await screenshot(page, 'nav-phone-chat-en');
  await byTestId(page, 'back-button').click();
  await byTestId(page, 'chat-family').waitFor();
  await screenshot(page, 'nav-phone-chats-en');
  assertNoErrors(page);
});

test('?frame=phone on a desktop window shows the phone frame', async () => {
  const page = await newPage(browser, { viewport: DESKTOP });
  await page.goto(appUrl({ frame: 'phone', storage: storageKey() }, '#/chat/family'));
  await waitForApp(page);
  await byTestId(page, 'chat-view-family').waitFor();
  const frame = await box(byTestId(page, 'app-frame'));
  assert.ok(frame.width <= 390, `phone-sized: ${frame.width}`);
  assert.ok(Math.abs(frame.x + frame.width / 2 - DESKTOP.width / 2) <= 1, 'centred');
  assert.equal(await byTestId(page, 'list-pane').count(), 0, 'the phone layout');
  await byTestId(page, 'back-button').waitFor();
  await screenshot(page, 'nav-desktop-frame-phone');
  assertNoErrors(page);
});

/**
 * Elements of the header, the tab bar and the chat rows whose text is wider than their box
 * (screen-reader-only text left out), and the title's distance from the header's centre.
 */
function measure() {
  const over = [];
  for (const el of document.querySelectorAll('.hb-header, .hb-header *, .hb-tabs, .hb-tabs *, .hb-chat-item, .hb-chat-item *')) {
    if (el.closest('.hb-sr-only') || getComputedStyle(el).display === 'inline' || el.tagName === 'OPTION') continue;
    if (el.scrollWidth > el.clientWidth + 1) over.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth} "${el.textContent.trim()}"`);
  }
  const header = document.querySelector('.hb-header').getBoundingClientRect();
  const title = document.querySelector('.hb-title').getBoundingClientRect();
  return { over, offCentre: Math.abs(title.x + title.width / 2 - (header.x + header.width / 2)) };
}

test('no text overflows its box, phone and desktop, zh and en; the title is centred', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    for (const lang of ['zh', 'en']) {
      const page = await newPage(browser, { viewport });
      await page.goto(appUrl({ lang, storage: storageKey() }));
      await waitForApp(page);
      await byTestId(page, 'chat-family').waitFor();
      const where = `${viewport.width}px ${lang}`;
      let m = await page.evaluate(measure);
      assert.deepEqual(m.over, [], `${where}, chat list`);
      assert.ok(m.offCentre <= 1, `${where}: the title is ${m.offCentre}px off centre`);
      for (const chat of ['family', 'alice-bob']) {
        await byTestId(page, `chat-${chat}`).click();
        await byTestId(page, `chat-view-${chat}`).waitFor();
        m = await page.evaluate(measure);
        assert.deepEqual(m.over, [], `${where}, chat ${chat}`);
        if (viewport === DESKTOP) assert.ok(m.offCentre <= 1, `${where}: the title is ${m.offCentre}px off centre`);
        if (viewport === PHONE) await byTestId(page, 'back-button').click();
      }
      // The two header pills look alike.
      const pill = (testid) => byTestId(page, testid).evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.height, s.borderRadius, s.boxShadow, s.fontSize, s.fontWeight, s.backgroundColor];
      });
      assert.deepEqual(await pill('identity-switch'), await pill('lang-switch'));
      assertNoErrors(page);
      await page.close();
    }
  }
});

test('the focus ring of a chat row shows on all four sides', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const page = await newPage(browser, { viewport });
    await page.goto(appUrl({ storage: storageKey() }));
    await waitForApp(page);
    await byTestId(page, 'chat-family').waitFor();
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.dataset?.testid) === 'chat-family') break;
    }
    const clipped = await byTestId(page, 'chat-family').evaluate((el) => {
      const s = getComputedStyle(el);
      if (!el.matches(':focus-visible') || s.outlineStyle === 'none') return ['no focus ring'];
      const grow = Math.max(0, parseFloat(s.outlineOffset) + parseFloat(s.outlineWidth));
      const r = el.getBoundingClientRect();
      const ring = { left: r.left - grow, right: r.right + grow, top: r.top - grow, bottom: r.bottom + grow };
      const sides = [];
      for (let a = el.parentElement; a; a = a.parentElement) {
        const o = getComputedStyle(a);
        if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        if (ring.left < c.left) sides.push('left');
        if (ring.right > c.right) sides.push('right');
        if (ring.top < c.top) sides.push('top');
        if (ring.bottom > c.bottom) sides.push('bottom');
      }
      return sides;
    });
    assert.deepEqual(clipped, [], `${viewport.width}px: the ring is cut on ${clipped}`);
    assertNoErrors(page);
    await page.close();
  }
});
