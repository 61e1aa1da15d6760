// The user guide (docs/, mdBook) shows live widgets, written as ```hongbao blocks that the
// book's preprocessor (mdbook-hongbao/) turns into <hong-bao> elements: open a packet inside a
// docs page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';

const BOOK = process.env.HONGBAO_BOOK ?? path.resolve(import.meta.dirname, '../../target/book');

let server, browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(BOOK, 'embed/hongbao-embed.js')), `no built book with the embed in ${BOOK}`);
  server = await serveStatic(BOOK);
  browser = await launch();
});
after(async () => { await browser?.close(); await server?.close(); });

test('a docs page embeds a live widget; a packet opens inside it', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/introduction.html`);
  const widget = page.locator('#intro-widget');
  // The page's ```hongbao block became a <hong-bao> element (mdbook-hongbao).
  assert.equal(await widget.evaluate((el) => el.localName), 'hong-bao');
  // The packet is a stand-in until pressed; pressing it starts the widget and opens it.
  await widget.locator('[data-testid="embed-start"]').click({ timeout: 20000 });
  await widget.locator('[data-testid="open-button"]').click();
  const amount = widget.locator('[data-testid="claimed-amount"]');
  await amount.waitFor();
  assert.match(await amount.innerText(), /\d/);
  await screenshot(page, 'embed-docs-page');
  assertNoErrors(page);
  await page.context().close();
});

test("the splitting page's fairness chart runs in the page", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/splitting.html`);
  const chart = page.locator('[data-testid="embed-fairness"]');
  await chart.waitFor({ timeout: 20000 });
  await chart.locator('[data-testid="fairness-packets"]').fill('20000');
  await chart.locator('[data-testid="fairness-run"]').click();
  await chart.locator('[data-testid="fairness-done"]').waitFor({ timeout: 30000 });
  assert.equal(await chart.locator('[data-testid="fairness-row"]').count(), 10);
  assertNoErrors(page);
  await page.context().close();
});
