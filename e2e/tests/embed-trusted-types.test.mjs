// Trusted Types (issue 17, item 2): under `require-trusted-types-for 'script'` the loader
// starts, every kind of widget renders and works, and the page's own HTML sinks stay closed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp, claimIn } from '../lib/embed.mjs';

// No policy may be created at all: the embed needs none.
const TT_CSP = `${CSP}; require-trusted-types-for 'script'; trusted-types 'none'`;

let dir, browser;
before(async () => {
  dir = embedRoot();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  dir?.remove();
});

test('widgets work under require-trusted-types-for, and the page stays protected', async () => {
  const server = await serveStatic(dir.root, { 'content-security-policy': TT_CSP });
  try {
    const page = await newPage(browser, { viewport: { width: 420, height: 1400 } });
    await watchCsp(page);
    await page.goto(`${server.url}/tt.html`);
    await page.waitForFunction(() => window.Hongbao?.count === 3, null, { timeout: 20000 });
    const w1 = page.locator('#w1'), w2 = page.locator('#w2'), w3 = page.locator('#w3');
    assert.equal(await w2.locator('[data-testid="embed-start"]').innerText(), '🧧 Send a red packet');
    // The claim demo: the packet opens and pays out.
    assert.match(await claimIn(w1), /\d/);
    // The send demo, in the custom element: the send flow opens.
    await w2.locator('[data-testid="embed-start"]').click();
    await w2.locator('[data-testid="send-flow"]').waitFor({ timeout: 20000 });
    // The fairness chart (SVG) runs.
    await w3.locator('[data-testid="embed-start"]').click();
    await w3.locator('[data-testid="fairness-packets"]').fill('2000');
    await w3.locator('[data-testid="fairness-run"]').click();
    await w3.locator('[data-testid="fairness-done"]').waitFor({ timeout: 30000 });
    assert.equal(await w3.locator('[data-testid="fairness-row"]').count(), 10);
    await screenshot(page, 'embed-trusted-types');
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assert.equal(await page.evaluate(() => window.trustedTypes.defaultPolicy), null);

    // And the page's string-to-HTML sinks are refused, as the page asked.
    const sinks = await page.evaluate(() => {
      const tryIt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.name; } };
      const div = document.createElement('div');
      return {
        img: tryIt(() => { div.innerHTML = '<img src="x" onerror="window.pwned = 1">'; }),
        bold: tryIt(() => { div.innerHTML = '<b>hi</b>'; }),
        adjacent: tryIt(() => document.body.insertAdjacentHTML('beforeend', '<p>x</p>')),
        pwned: window.pwned ?? null,
      };
    });
    assert.deepEqual(sinks, { img: 'TypeError', bold: 'TypeError', adjacent: 'TypeError', pwned: null });
    assertNoErrors(page, [/TrustedHTML/]);
    await page.context().close();
  } finally {
    await server.close();
  }
});
