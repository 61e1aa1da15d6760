// The <hong-bao> custom element (issue 17, item 1): the same options as data-hongbao, as
// attributes; language, variant, theme and settings change live without losing the widget's
// state; another scene mounts afresh; removing the element unmounts it, and adding and
// removing it 200 times leaves no widget, listener or timer behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, settled } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp } from '../lib/embed.mjs';
import { sendPacket } from '../lib/flows.mjs';

let dir, server, browser;
before(async () => {
  dir = embedRoot();
  server = await serveStatic(dir.root, { 'content-security-policy': CSP });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  dir?.remove();
});

/** Adds `<hong-bao id=… attrs…>` to section #a. */
const add = (page, id, attrs) => page.evaluate(([id, attrs]) => {
  const el = document.createElement('hong-bao');
  el.id = id;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.getElementById('a').append(el);
}, [id, attrs]);
const rootOf = (id) => `document.getElementById('${id}').shadowRoot.querySelector('[data-testid="embed-root"]')`;

test('<hong-bao>: attributes apply live, another scene mounts afresh, removal unmounts', async () => {
  const page = await newPage(browser);
  await watchCsp(page);
  await page.goto(`${server.url}/element.html`);
  await page.waitForFunction(() => window.Hongbao, null, { timeout: 20000 });
  await add(page, 'e1', { scene: 'claim-demo', lang: 'zh', latency: '0', variant: 'A', motion: 'off' });
  const e1 = page.locator('#e1');
  const status = e1.locator('[data-testid="embed-start"] .hb-bubble-status');
  assert.equal(await status.innerText(), '领取红包');
  await page.evaluate(`window.root1 = ${rootOf('e1')}`);
  // Before the scene starts: language and variant, in place.
  await page.evaluate(() => { const el = document.getElementById('e1'); el.setAttribute('lang', 'en'); el.setAttribute('variant', 'B'); });
  await e1.locator('[data-testid="embed-start"] .hb-bubble-status', { hasText: 'Open the packet' }).waitFor();
  assert.deepEqual(await page.evaluate(() => [window.root1.isConnected, window.root1.dataset.variant]), [true, 'B']);
  // Started: the packet opens; the events come from the element.
  await e1.locator('[data-testid="embed-start"]').click();
  await e1.locator('[data-testid="open-button"]').click();
  const amount = e1.locator('[data-testid="claimed-amount"]');
  await amount.waitFor({ timeout: 20000 });
  const claimed = await amount.innerText();
  await page.waitForFunction(() => window.hbEvents.some((e) => e.type === 'hongbao:claimed' && e.target === 'e1'));
  // Language, settings and theme change while the card stays open: the same widget.
  await page.evaluate(() => {
    const el = document.getElementById('e1');
    el.setAttribute('lang', 'zh');
    el.setAttribute('recall', 'none');
    el.setAttribute('theme', 'dark');
  });
  await e1.locator('.hb-app[lang="zh-CN"]').waitFor();
  assert.equal(await amount.innerText(), claimed);
  assert.deepEqual(await page.evaluate(() => [window.root1.isConnected, window.root1.dataset.theme]), [true, 'dark']);
  // Dark all through: the card's result panel is dark, and its texts (the amount, the
  // claimer, the summary) keep WCAG AA contrast against it (4.5:1).
  const contrasts = await page.evaluate(() => {
    const root = document.getElementById('e1').shadowRoot;
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const panel = getComputedStyle(root.querySelector('.hb-card-screen--result')).backgroundColor;
    const ratio = (sel) => {
      const [a, b] = [lum(getComputedStyle(root.querySelector(sel)).color), lum(panel)];
      return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 10) / 10;
    };
    return { panel: lum(panel) < 0.1, amount: ratio('.hb-amount'), name: ratio('.hb-claim-name'), summary: ratio('.hb-details-summary') };
  });
  assert.ok(contrasts.panel, JSON.stringify(contrasts));
  for (const key of ['amount', 'name', 'summary']) assert.ok(contrasts[key] >= 4.5, JSON.stringify(contrasts));
  await screenshot(page, 'embed-element-live');
  // Another scene is another widget: mounted afresh.
  await page.evaluate(() => document.getElementById('e1').setAttribute('scene', 'send-demo'));
  await e1.locator('[data-testid="embed-start"]', { hasText: '发红包' }).waitFor();
  assert.equal(await page.evaluate(() => window.root1.isConnected), false);
  assert.equal(await page.evaluate(() => window.Hongbao.count), 1);
  // Moved within the page (removed and inserted in one task): kept.
  await page.evaluate(`window.root2 = ${rootOf('e1')}`);
  await page.evaluate(() => document.getElementById('b').append(document.getElementById('e1')));
  await settled(page);
  assert.equal(await page.evaluate(() => window.root2.isConnected), true);
  // Removed: unmounted, its shadow root emptied.
  const left = await page.evaluate(async () => {
    const el = document.getElementById('e1');
    el.remove();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    return { count: window.Hongbao.count, nodes: el.shadowRoot.childNodes.length };
  });
  assert.deepEqual(left, { count: 0, nodes: 0 });
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assertNoErrors(page);
  await page.context().close();
});

test('the demos fetch their dialog without the app; leaving it brings the app on the same state', async () => {
  const page = await newPage(browser);
  await watchCsp(page);
  // The packs fetched, by logical name (xtask/src/build.rs: pack_scene_claim, …).
  const packs = [];
  page.on('request', (r) => { if (/\.bin$/.test(r.url())) packs.push(new URL(r.url()).pathname.split('/').pop().split('.')[0]); });
  await page.goto(`${server.url}/element.html`);
  await page.waitForFunction(() => window.Hongbao, null, { timeout: 20000 });

  // The claim demo: the card over the chat; the app's shell (header, tabs) not fetched.
  await add(page, 'c1', { scene: 'claim-demo', lang: 'en', latency: '0', motion: 'off', storage: 'demo-c1' });
  const c1 = page.locator('#c1');
  await c1.locator('[data-testid="embed-start"]').click();
  await c1.locator('[data-testid="open-button"]').click({ timeout: 20000 });
  const amount = await c1.locator('[data-testid="claimed-amount"]').innerText();
  await c1.locator('[data-testid="chat-view-family"]').waitFor();
  assert.equal(await c1.locator('[data-testid="lang-switch"]').count(), 0);
  assert.equal(await c1.locator('[data-testid="tab-chats"]').count(), 0);
  assert.ok(packs.includes('pack_scene_claim'), packs.join(' '));
  assert.ok(!packs.includes('pack_scene_app'), packs.join(' '));
  await screenshot(page, 'embed-claim-demo-card');
  // Left: the app in the Family chat, its shell fetched once, the claim in its state.
  await c1.locator('[data-testid="close-card"]').click();
  await c1.locator('[data-testid="tab-chats"]').waitFor({ timeout: 20000 });
  await c1.locator('[data-testid="chat-view-family"]').waitFor();
  assert.equal(packs.filter((p) => p === 'pack_scene_app').length, 1, packs.join(' '));
  assert.equal(await c1.locator('[data-testid="title"]').innerText(), 'Family');
  const bubble = c1.locator('[data-testid="packet-bubble"]').last();
  await bubble.click();
  assert.equal(await c1.locator('[data-testid="claimed-amount"]').innerText(), amount);
  await page.keyboard.press('Escape');
  await c1.locator('[data-testid="packet-card"]').waitFor({ state: 'hidden' });
  // The app's own card came from its split point; the widget's events kept coming.
  assert.ok(await page.evaluate(() => window.hbEvents.some((e) => e.type === 'hongbao:claimed' && e.target === 'c1')));

  // The send demo: its sheet at once, no app; a packet sent, the app shows it in the chat.
  await add(page, 's1', { scene: 'send-demo', lang: 'en', latency: '0', motion: 'off', storage: 'demo-s1' });
  const s1 = page.locator('#s1');
  const before = packs.length;
  await s1.locator('[data-testid="embed-start"]').click();
  await s1.locator('[data-testid="send-flow"]').waitFor({ timeout: 20000 });
  assert.deepEqual(packs.slice(before).filter((p) => p.startsWith('pack_scene_') && !p.includes('send')), [], packs.slice(before).join(' '));
  // Once the sheet has slid up (its 180 ms entrance).
  await s1.locator('[data-testid="send-flow"]').evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)));
  await screenshot(page, 'embed-send-demo-sheet');
  const id = await sendPacket(s1, { kind: 'normal', amount: '1.88', count: 2, greeting: 'demo' });
  await s1.locator('[data-testid="tab-chats"]').waitFor({ timeout: 20000 });
  await s1.locator(`[data-testid="packet-bubble"][data-packet-id="${id}"]`).waitFor();
  assert.ok(await page.evaluate(() => window.hbEvents.some((e) => e.type === 'hongbao:sent' && e.target === 's1')));
  await screenshot(page, 'embed-send-demo-left');
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assertNoErrors(page);
  await page.close();
});

test('adding and removing <hong-bao> 200 times leaves no widget, listener or timer', async () => {
  const page = await newPage(browser);
  // Counts what is registered on window and document, and the timers and frames pending
  // (the wasm reaches these globals through its glue at each call).
  await page.addInitScript(() => {
    const t = window.hbTrack = { listeners: new Map(), timeouts: new Set(), intervals: new Set(), frames: new Set() };
    const where = (target) => (target === window ? 'window' : target === document ? 'document' : null);
    const key = (target, type, options) => `${where(target)} ${type} ${typeof options === 'boolean' ? options : !!options?.capture}`;
    const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (where(this) && listener) {
        const k = key(this, type, options);
        if (!t.listeners.has(k)) t.listeners.set(k, new Set());
        t.listeners.get(k).add(listener);
      }
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      if (where(this)) t.listeners.get(key(this, type, options))?.delete(listener);
      return remove.call(this, type, listener, options);
    };
    const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci, requestAnimationFrame: raf, cancelAnimationFrame: caf } = window;
    window.setTimeout = (f, ms, ...a) => { const id = st((...b) => { t.timeouts.delete(id); if (typeof f === 'function') f(...b); }, ms, ...a); t.timeouts.add(id); return id; };
    window.clearTimeout = (id) => { t.timeouts.delete(id); ct(id); };
    window.setInterval = (...a) => { const id = si(...a); t.intervals.add(id); return id; };
    window.clearInterval = (id) => { t.intervals.delete(id); ci(id); };
    window.requestAnimationFrame = (f) => { const id = raf((ts) => { t.frames.delete(id); f(ts); }); t.frames.add(id); return id; };
    window.cancelAnimationFrame = (id) => { t.frames.delete(id); caf(id); };
    window.hbCounts = () => ({
      widgets: window.Hongbao?.count,
      elements: document.querySelectorAll('hong-bao').length,
      listeners: [...t.listeners.values()].reduce((n, s) => n + s.size, 0),
      intervals: t.intervals.size,
      timeouts: t.timeouts.size,
      frames: t.frames.size,
    });
  });
  await page.goto(`${server.url}/element.html`);
  await page.waitForFunction(() => window.Hongbao, null, { timeout: 20000 });

  /** `n` stand-ins added and removed, each checked to have rendered. */
  const standIns = (n) => page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) {
      const el = document.createElement('hong-bao');
      el.setAttribute('scene', i % 2 ? 'claim-demo' : 'send-demo');
      el.setAttribute('lang', i % 3 ? 'en' : 'zh');
      document.getElementById('a').append(el);
      if (!el.shadowRoot?.querySelector('[data-testid="embed-start"]')) throw new Error(`cycle ${i}: no stand-in`);
      if (i % 4 === 0) el.setAttribute('lang', 'en');
      await new Promise((r) => requestAnimationFrame(r));
      el.remove();
      await new Promise((r) => setTimeout(r, 0));
    }
  }, n);
  /** A started claim demo: opened, claimed, then removed. */
  const started = async (n) => {
    await add(page, `s${n}`, { scene: 'claim-demo', lang: 'en', latency: '0', motion: 'off', storage: `s${n}` });
    const el = page.locator(`#s${n}`);
    await el.locator('[data-testid="embed-start"]').click();
    await el.locator('[data-testid="open-button"]').click({ timeout: 20000 });
    await el.locator('[data-testid="claimed-amount"]').waitFor();
    await page.evaluate((id) => document.getElementById(id).remove(), `s${n}`);
  };
  /** The counts once the page is idle: every pending timeout and frame has run. */
  const idle = () => page.evaluate(async () => {
    for (let i = 0; i < 100 && (window.hbTrack.timeouts.size || window.hbTrack.frames.size); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return window.hbCounts();
  });

  // Warm up: what Leptos registers once for the whole page (delegated event listeners).
  await standIns(4);
  await started(0);
  const baseline = await idle();
  assert.deepEqual({ widgets: baseline.widgets, elements: baseline.elements }, { widgets: 0, elements: 0 });

  await standIns(200);
  for (let n = 1; n <= 5; n++) await started(n);
  const end = await idle();
  assert.deepEqual(end, baseline, JSON.stringify({ baseline, end }));
  assert.deepEqual({ widgets: end.widgets, intervals: end.intervals, timeouts: end.timeouts, frames: end.frames },
    { widgets: 0, intervals: 0, timeouts: 0, frames: 0 });
  assertNoErrors(page);
  await page.context().close();
});
