// The user guide (docs/, mdBook) shows live widgets: open a packet inside a docs page.
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
  await widget.locator('[data-testid="chat-view-family"]').waitFor({ timeout: 20000 });
  await widget.locator('[data-testid="packet-bubble"]').first().click();
  await widget.locator('[data-testid="open-button"]').click();
  const amount = widget.locator('[data-testid="claimed-amount"]');
  await amount.waitFor();
  assert.match(await amount.innerText(), /\d/);
  await screenshot(page, 'embed-docs-page');
  assertNoErrors(page);
  await page.context().close();
});
