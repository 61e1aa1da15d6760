// Dark mode (issue 16, item 6): `theme=auto` (the default) follows the system's
// prefers-color-scheme, the settings panel's Appearance (or `?theme=`) forces light or dark, and
// it is kept across visits like the language (the URL wins). Every screen is walked in dark, by
// the system and by the setting, at phone and desktop size, in zh and en, and measured: the page
// and every large box is dark, and every visible text meets WCAG AA against what lies under it
// (computed colours, composited down to the first opaque background). One walk in light checks
// the light colours' contrast the same way. Screenshots: target/e2e/theme-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, settled } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimedAmount, closeCard, fillEntry, enterPin, bubble, recallPacket } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/**
 * In the page: the colours of what is shown. `scope`: a selector whose first match holds what
 * is on top (an open dialog), else the whole page. Returns the text elements that fail AA
 * (4.5:1, or 3:1 for large text: 24 px, or 18.66 px bold), how many were measured and the
 * lowest ratio; with `dark`, also the large boxes (2,000 px² or more) whose background is
 * light: relative luminance above 0.05, unless a saturated colour (the packet's red and gold,
 * the faces) no brighter than 0.5.
 */
function audit({ scope, dark }) {
  const parse = (c) => {
    const m = /^rgba?\(([^)]*)\)$/.exec(c ?? '');
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const name = (el) => `${el.tagName.toLowerCase()}${el.dataset?.testid ? `[${el.dataset.testid}]` : ''}.${[...el.classList].join('.')}`;
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  // What lies under `el`: its and its ancestors' backgrounds down to the first opaque one
  // (the page's root always has one), and the opacity the element's group is drawn with.
  const under = (el) => {
    const layers = [];
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      opacity *= Number(s.opacity);
      const c = parse(s.backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return { colour, opacity };
  };

  const root = (scope && document.querySelector(scope)) || document.documentElement;
  const failures = [];
  let measured = 0, lowest = Infinity;
  for (const el of root.querySelectorAll('*')) {
    if (el.matches('option, script, style, title, svg *:not(text)')) continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const field = el.matches('input:not([type=checkbox]):not([type=radio]):not([type=range]), select, textarea')
      && String(el.value ?? '').trim();
    if ((!ownText && !field) || !shown(el)) continue;
    const s = getComputedStyle(el);
    const fg = parse(el instanceof SVGElement ? s.fill : s.color);
    if (!fg) continue;
    const { colour: bg, opacity } = under(el instanceof SVGElement ? el.closest('svg').parentElement : el);
    const text = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66);
    const need = large ? 3 : 4.5;
    const r = ratio(text, bg);
    measured++;
    lowest = Math.min(lowest, r);
    if (r < need) {
      const words = (field ? String(el.value) : el.textContent).trim().slice(0, 40);
      failures.push(`${name(el)} "${words}": ${s.color} on rgb(${bg.slice(0, 3).map(Math.round)}) = ${r.toFixed(2)} < ${need}`);
    }
  }
  const light = [];
  if (dark) {
    for (const el of root.querySelectorAll('*')) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (!c || c[3] < 1) continue;
      const r = el.getBoundingClientRect();
      if (r.width * r.height < 2000 || !shown(el)) continue;
      const spread = Math.max(c[0], c[1], c[2]) - Math.min(c[0], c[1], c[2]);
      const l = lum(c);
      if (!(l <= 0.05 || (spread >= 50 && l <= 0.5))) light.push(`${name(el)}: ${getComputedStyle(el).backgroundColor} (${l.toFixed(3)})`);
    }
  }
  const bgLum = (sel) => { const el = document.querySelector(sel); return el ? lum(parse(getComputedStyle(el).backgroundColor)) : null; };
  return { failures, measured, lowest, light, page: bgLum('html'), frame: bgLum('.hb-phone'), scheme: getComputedStyle(document.documentElement).colorScheme };
}

/** Audits what is shown (the open dialog if any), asserts it, and screenshots it as `name`. */
async function check(page, name, { dark = true } = {}) {
  await page.mouse.move(0, 0); // no hover
  // The sheet and the card have come in (the spinners' endless animations go on).
  await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSAnimation)
    || a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
  await settled(page);
  const scope = (await page.locator('.hb-dialog-backdrop').count()) ? '.hb-dialog-backdrop' : null;
  const result = await page.evaluate(audit, { scope, dark });
  assert.ok(result.measured >= 3, `${name}: ${result.measured} text elements measured`);
  assert.deepEqual(result.failures, [], `${name}: text below AA`);
  if (dark) {
    assert.ok(result.page < 0.02 && result.frame < 0.02, `${name}: page ${result.page}, frame ${result.frame}`);
    assert.equal(result.scheme, 'dark', `${name}: color-scheme`);
    assert.deepEqual(result.light, [], `${name}: light boxes in the dark`);
  }
  await screenshot(page, name);
  return result;
}

/** Whether the app shows dark now (the frame's background). */
const frameLum = (page) => page.evaluate(() => {
  const [r, g, b] = getComputedStyle(document.querySelector('.hb-phone')).backgroundColor.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
});

test('theme=auto follows the system; the setting forces light or dark, is kept across visits, and the URL wins', async () => {
  const page = await newPage(browser, { viewport: PHONE, colorScheme: 'dark' });
  await openApp(page, server.url, { lang: 'en' });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'auto');
  assert.ok(await frameLum(page) < 0.1, 'auto on a dark system: dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.hb-phone')).backgroundColor === 'rgb(237, 237, 237)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.hb-phone')).backgroundColor === 'rgb(17, 17, 17)');

  // Light by the setting, on a dark system; kept across a reload.
  await byTestId(page, 'settings').click();
  const select = byTestId(page, 'setting-theme');
  assert.equal(await select.inputValue(), 'auto');
  assert.deepEqual(await select.locator('option').allInnerTexts(), ['Automatic (as the system)', 'Light', 'Dark']);
  await select.selectOption('light');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  assert.ok(await frameLum(page) > 0.8, 'light by the setting');
  await page.reload();
  await byTestId(page, 'setting-theme').waitFor();
  assert.equal(await byTestId(page, 'setting-theme').inputValue(), 'light');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.ok(await frameLum(page) > 0.8, 'light after a reload');

  // The URL wins over the stored choice (and the system), and is kept like lang=.
  await page.emulateMedia({ colorScheme: 'light' });
  const url = new URL(page.url());
  url.searchParams.set('theme', 'dark');
  await page.goto(url.href);
  await byTestId(page, 'setting-theme').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.ok(await frameLum(page) < 0.1, 'dark by the URL on a light system');
  url.searchParams.delete('theme');
  await page.goto(url.href);
  await byTestId(page, 'setting-theme').waitFor();
  assert.equal(await byTestId(page, 'setting-theme').inputValue(), 'dark');
  assert.ok(await frameLum(page) < 0.1, 'the URL\'s choice is kept');
  // Dark from the first paint, before the app's module has arrived (blocked here): the page's
  // first script applies the kept choice, so a dark visitor on a light system sees no flash.
  const wasm = /hongbao_bg\.wasm$/;
  await page.route(wasm, (route) => route.abort());
  await page.reload(); // (a goto of the same URL with a hash would not load the page again)
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(0, 0, 0)');
  assert.equal(await byTestId(page, 'lang-switch').count(), 0, 'the app has not started');
  await page.unroute(wasm);

  // A bad value is reported and changes nothing.
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  url.searchParams.set('theme', 'purple');
  await page.goto(url.href);
  await byTestId(page, 'setting-theme').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.ok(warnings.some((w) => /theme="purple": expected auto\|light\|dark/.test(w)), warnings.join('\n'));

  // Back to auto: the system's again.
  await byTestId(page, 'setting-theme').selectOption('auto');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'auto');
  assert.ok(await frameLum(page) > 0.8, 'auto on a light system: light');
  assertNoErrors(page, [/hongbao_bg\.wasm/, /WebAssembly|Failed to fetch|ERR_FAILED/]);
});

/**
 * Every screen, measured and shot as `theme-<mode>-<screen>-<size>-<lang>`: the chat list, the
 * send sheet's entry (with its total and with an error), review with warnings, the PIN pad,
 * the chat with packets, the recall confirmation and trace, the card closed and open with
 * details, the wallet, the settings (with an invalid value), hold to confirm, the lab with a
 * fairness chart, and on a wide window the phone frame.
 */
async function walk({ size, lang, mode }) {
  const viewport = size === 'phone' ? PHONE : DESKTOP;
  const dark = mode !== 'light';
  const page = await newPage(browser, { viewport, colorScheme: mode === 'system' ? 'dark' : 'light' });
  const tag = `${size}-${lang}`;
  const shot = (screen) => check(page, `theme-${mode}-${screen}-${tag}`, { dark });
  await openApp(page, server.url, { stages: '3', auth: 'pin', lang });
  if (mode === 'setting') {
    await byTestId(page, 'settings').click();
    await byTestId(page, 'setting-theme').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await byTestId(page, 'tab-chats').click();
  }
  const lowest = [];
  const measure = async (screen) => lowest.push([screen, (await shot(screen)).lowest]);
  await byTestId(page, 'chat-family').waitFor();
  await measure('chats');

  // The send sheet: entry, review with warnings, PIN.
  await openChat(page, 'family');
  await fillEntry(page, { kind: 'normal', amount: '52', count: 10, greeting: lang === 'zh' ? '恭喜发财' : 'Good fortune' });
  await page.locator('[data-testid="total-preview"]', { hasText: '520.00' }).waitFor();
  await measure('entry');
  await byTestId(page, 'next-button').click();
  await byTestId(page, 'review-sheet').waitFor();
  await byTestId(page, 'warning').first().waitFor();
  await measure('review');
  await byTestId(page, 'confirm-button').click();
  await byTestId(page, 'pin-pad').waitFor();
  await enterPin(page, '12');
  await measure('pin');
  await enterPin(page, '3456');
  await byTestId(page, 'packet-bubble').first().waitFor();
  const first = await byTestId(page, 'packet-bubble').first().getAttribute('data-packet-id');

  // The recall confirmation, then the trace; a second packet for bob to open.
  await page.locator(`.hb-recall[data-packet-id="${first}"] [data-testid="recall-button"]`).click();
  await byTestId(page, 'recall-dialog').waitFor();
  await measure('recall');
  await byTestId(page, 'recall-cancel').click();
  await byTestId(page, 'recall-dialog').waitFor({ state: 'detached' });
  await recallPacket(page, first);
  await page.locator(`[data-testid="recall-trace"][data-packet-id="${first}"]`).waitFor();
  const id = await sendPacket(page, { kind: 'lucky', amount: '8.88', count: 3, greeting: lang === 'zh' ? '新年快乐' : 'Happy New Year' });
  await measure('chat-sender');

  // Bob: the card closed, then open with the details.
  await switchUser(page, 'bob');
  await openChat(page, 'family');
  await bubble(page, id).click();
  await byTestId(page, 'open-button').waitFor();
  await measure('card');
  await byTestId(page, 'open-button').click();
  await claimedAmount(page);
  if (!(await byTestId(page, 'claim-list').isVisible())) await byTestId(page, 'details-toggle').click();
  await byTestId(page, 'claim-item').first().waitFor();
  await measure('card-open');
  await closeCard(page);
  await measure('chat');

  // An entry refused with an error (a 1:1 520 on an ordinary day).
  await openChat(page, 'alice-bob');
  await fillEntry(page, { kind: 'personal', amount: '520' });
  await byTestId(page, 'error-message').waitFor();
  await measure('entry-error');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });

  await byTestId(page, 'tab-wallet').click();
  await page.locator('[data-testid="ledger-packet"]', { hasText: '·' }).first().waitFor();
  await measure('wallet');

  await byTestId(page, 'settings').click();
  await byTestId(page, 'setting-window').fill('0');
  await byTestId(page, 'setting-window').press('Tab');
  await page.locator('[data-testid="setting-window"][aria-invalid="true"]').waitFor();
  await measure('settings');
  await byTestId(page, 'setting-auth').selectOption('hold');

  // Hold to confirm.
  await byTestId(page, 'tab-chats').click();
  await openChat(page, 'family');
  await fillEntry(page, { kind: 'lucky', amount: '1', count: 1 });
  await byTestId(page, 'next-button').click();
  await byTestId(page, 'confirm-button').click();
  await byTestId(page, 'hold-confirm').waitFor();
  await measure('hold');
  await page.keyboard.press('Escape');
  await byTestId(page, 'send-flow').waitFor({ state: 'detached' });

  await byTestId(page, 'tab-lab').click();
  await byTestId(page, 'fairness-packets').fill('2000');
  await byTestId(page, 'fairness-run').click();
  await byTestId(page, 'fairness-done').waitFor({ timeout: 30_000 });
  await measure('lab');

  if (size === 'desktop') {
    await page.goto(`${server.url}/?frame=phone&lang=${lang}&latency=0&bots=off`);
    await byTestId(page, 'chat-family').waitFor();
    await measure('framed');
  }
  assertNoErrors(page);
  await page.context().close();
  return lowest;
}

for (const [size, lang, mode] of [
  ['phone', 'zh', 'system'], ['desktop', 'en', 'system'],
  ['phone', 'en', 'setting'], ['desktop', 'zh', 'setting'],
  ['phone', 'zh', 'light'],
]) {
  const how = mode === 'light' ? 'light: every text is AA' : `dark by the ${mode}: every screen is dark and every text AA`;
  test(`${how} (${size}, ${lang})`, { timeout: 180_000 }, async () => {
    const lowest = await walk({ size, lang, mode });
    console.log(`contrast ${mode} ${size} ${lang}: ${lowest.map(([s, r]) => `${s}=${r.toFixed(2)}`).join(' ')}`);
  });
}
