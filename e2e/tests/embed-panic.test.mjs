// Panic containment (issue 17, item 4): a bug that panics in one widget (forced with the
// test-only `test-panic="on"`, which makes its stand-in panic when pressed) stops the wasm
// instance; every widget of it shows an error with Reload, the page's own scripts keep
// working, and Reload starts the widgets afresh on a new instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp, claimIn } from '../lib/embed.mjs';

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

test('a panic shows an error with Reload in the widgets, the page keeps working, Reload restarts them', async () => {
  const page = await newPage(browser);
  await watchCsp(page);
  await page.addInitScript(() => {
    window.panics = [];
    window.addEventListener('hongbao:panic', (e) => window.panics.push(String(e.detail)));
  });
  await page.goto(`${server.url}/panic.html`);
  const w1 = page.locator('#w1'), w2 = page.locator('#w2');
  // One widget started, with its state, before the other panics.
  assert.match(await claimIn(w1), /\d/);
  await w2.locator('[data-testid="embed-start"]').click();
  for (const w of [w1, w2]) await w.locator('[data-testid="embed-error"]').waitFor({ timeout: 20000 });
  // textContent, not innerText: innerText depends on whether the widget's stylesheet has
  // been applied yet (a block or not), which is a race the test must not depend on.
  const error = w1.locator('[data-testid="embed-error"]');
  assert.match(await error.textContent(), /^This widget stopped because of an error\./);
  assert.equal(await error.locator('[data-testid="embed-reload"]').textContent(), 'Reload');
  const panics = await page.evaluate(() => window.panics);
  assert.equal(panics.length, 1);
  assert.match(panics[0], /test-panic=on/);
  await screenshot(page, 'embed-panic');
  // The page's own script still runs.
  await page.locator('#count').click();
  await page.locator('#count', { hasText: 'count: 1' }).waitFor();

  // Reload (either widget's) starts both afresh.
  await page.evaluate(() => document.getElementById('w2').removeAttribute('test-panic'));
  await w1.locator('[data-testid="embed-reload"]').click();
  for (const w of [w1, w2]) await w.locator('[data-testid="embed-start"]').waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => window.Hongbao.count), 2);
  assert.match(await claimIn(w1), /\d/);
  await w2.locator('[data-testid="embed-start"]').click();
  await w2.locator('[data-testid="send-flow"]').waitFor({ timeout: 20000 });
  await page.locator('#count').click();
  await page.locator('#count', { hasText: 'count: 2' }).waitFor();
  await screenshot(page, 'embed-panic-reloaded');
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  // The panic itself is reported (the console and the aborted call).
  assertNoErrors(page, [/test-panic=on/, /unreachable/i]);
  await page.context().close();
});
