// Isolation that holds (issue 17, items 3 and 5): the widgets look the same, element by
// element, whatever the host page's styles (root font size, `all: unset`, a dark theme with
// variables named like the widget's); only the documented theme attribute and the three
// public custom properties change them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, settled } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp, looks, differences } from '../lib/embed.mjs';

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

const IDS = ['claim', 'send', 'app', 'fairness'];

/** isolation.html with host stylesheet `host` (none: the baseline), every widget shown and
 *  the app one started; returns the widgets' looks. */
async function lookUnder(host, colorScheme = 'light') {
  const page = await newPage(browser, { viewport: { width: 800, height: 2400 }, colorScheme });
  await watchCsp(page);
  await page.goto(`${server.url}/isolation.html${host ? `?host=${host}` : ''}`);
  for (const id of IDS) {
    await page.locator(`#${id} [data-testid="embed-start"]`).waitFor({ timeout: 20000 });
  }
  await page.locator('#fairness [data-testid="embed-start"]').click();
  await page.locator('#fairness [data-testid="fairness-run"]').waitFor({ timeout: 20000 });
  await page.locator('#app [data-testid="embed-start"]').click();
  await page.locator('#app [data-testid="chat-family"]').waitFor({ timeout: 20000 });
  await page.mouse.move(0, 0); // no hover anywhere
  await settled(page);
  const result = await looks(page, IDS);
  await screenshot(page, `embed-host-${host ?? 'none'}`);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assertNoErrors(page);
  await page.context().close();
  return result;
}

test('the widgets look the same under hostile host styles, element by element', async () => {
  const baseline = await lookUnder(null);
  // Something to compare: every widget has a good many elements, at 16 px.
  for (const id of IDS) assert.ok(baseline[id].length >= 5, `${id}: ${baseline[id].length} elements`);
  assert.equal(baseline.app.find((l) => l.el.startsWith('div.hb-app'))['font-size'], '16px');
  for (const [host, scheme] of [['small', 'light'], ['large', 'light'], ['unset', 'light'], ['dark', 'dark']]) {
    const under = await lookUnder(host, scheme);
    assert.deepEqual(differences(baseline, under), [], `host-${host}.css changed the widgets`);
  }
});

/** The stand-in strip's background, the start button's background, the strip's corner radius
 *  and the root's font family of widget `id`. */
const themeOf = (page, id) => page.evaluate((id) => {
  const shadow = document.getElementById(id).shadowRoot;
  const strip = getComputedStyle(shadow.querySelector('.hb-embed-strip'));
  const start = getComputedStyle(shadow.querySelector('[data-testid="embed-start"]'));
  const root = shadow.querySelector('[data-testid="embed-root"]');
  return { strip: strip.backgroundColor, start: start.backgroundColor, radius: strip.borderTopLeftRadius,
    font: getComputedStyle(root).fontFamily, theme: root.dataset.theme };
}, id);

test('theme="light|dark|auto" and the three public custom properties; theme changes live', async () => {
  const page = await newPage(browser, { colorScheme: 'light', viewport: { width: 420, height: 1000 } });
  await watchCsp(page);
  await page.goto(`${server.url}/themes.html`);
  for (const id of ['light', 'dark', 'auto', 'branded']) {
    await page.locator(`#${id} [data-testid="embed-start"]`).waitFor({ timeout: 20000 });
  }
  const LIGHT = 'rgb(237, 237, 237)', DARK = 'rgb(27, 27, 29)', RED = 'rgb(200, 16, 46)';
  const light = await themeOf(page, 'light');
  assert.deepEqual({ strip: light.strip, start: light.start, radius: light.radius, theme: light.theme },
    { strip: LIGHT, start: RED, radius: '12px', theme: 'light' });
  assert.match(light.font, /system-ui/);
  assert.equal((await themeOf(page, 'dark')).strip, DARK);
  assert.equal((await themeOf(page, 'auto')).strip, LIGHT);
  const branded = await themeOf(page, 'branded');
  assert.deepEqual({ start: branded.start, radius: branded.radius }, { start: 'rgb(10, 125, 79)', radius: '4px' });
  assert.match(branded.font, /^Georgia, serif$/);
  // auto follows the reader's system.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => getComputedStyle(document.getElementById('auto').shadowRoot
    .querySelector('.hb-embed-strip')).backgroundColor === 'rgb(27, 27, 29)');
  await screenshot(page, 'embed-themes');
  // A live change keeps the widget (the same root element), started or not.
  await page.locator('#dark [data-testid="embed-start"]').click();
  await page.locator('#dark [data-testid="send-flow"]').waitFor({ timeout: 20000 });
  await screenshot(page, 'embed-theme-dark-started');
  await page.evaluate(() => {
    window.darkRoot = document.getElementById('dark').shadowRoot.querySelector('[data-testid="embed-root"]');
    document.getElementById('dark').setAttribute('theme', 'light');
  });
  await page.waitForFunction(() => window.darkRoot.dataset.theme === 'light');
  assert.ok(await page.evaluate(() => window.darkRoot.isConnected));
  await page.locator('#dark [data-testid="send-flow"]').waitFor();
  assert.equal(await page.evaluate(() => getComputedStyle(window.darkRoot).getPropertyValue('--hb-bg').trim()), '#ededed');
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assertNoErrors(page);
  await page.context().close();
});
