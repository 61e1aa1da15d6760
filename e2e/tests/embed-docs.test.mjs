// The user guide (docs/, mdBook) shows live widgets, written as ```hongbao blocks that the
// book's preprocessor (mdbook-hongbao/) turns into <hong-bao> elements: open a packet inside a
// docs page. The same in a site MkDocs built (docs/mkdocs/, `mkdocs build` in the docs stage)
// and on the plain HTML page of the docs (docs/plain/index.html).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';
import { EMBED_DIST, claimIn } from '../lib/embed.mjs';

const BOOK = process.env.HONGBAO_BOOK ?? path.resolve(import.meta.dirname, '../../target/book');
const MKDOCS = process.env.HONGBAO_MKDOCS ?? path.resolve(import.meta.dirname, '../../target/mkdocs');
const PLAIN = path.resolve(import.meta.dirname, '../../docs/plain/index.html');

let server, mkdocs, plain, plainRoot, browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(BOOK, 'embed/hongbao-embed.js')), `no built book with the embed in ${BOOK}`);
  assert.ok(fs.existsSync(path.join(MKDOCS, 'embed/hongbao-embed.js')), `no built MkDocs site with the embed in ${MKDOCS}`);
  server = await serveStatic(BOOK);
  mkdocs = await serveStatic(MKDOCS);
  plainRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hongbao-plain-'));
  fs.copyFileSync(PLAIN, path.join(plainRoot, 'index.html'));
  fs.cpSync(EMBED_DIST, path.join(plainRoot, 'embed'), { recursive: true });
  plain = await serveStatic(plainRoot);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await Promise.all([server, mkdocs, plain].map((s) => s?.close()));
  if (plainRoot) fs.rmSync(plainRoot, { recursive: true, force: true });
});

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
  // The simulation's code loads when the reader opens it (its stand-in, as for every scene).
  await page.locator('hong-bao[scene="fairness"] [data-testid="embed-start"]').click({ timeout: 20000 });
  const chart = page.locator('[data-testid="embed-fairness"]');
  await chart.waitFor({ timeout: 20000 });
  await chart.locator('[data-testid="fairness-packets"]').fill('20000');
  await chart.locator('[data-testid="fairness-run"]').click();
  await chart.locator('[data-testid="fairness-done"]').waitFor({ timeout: 30000 });
  assert.equal(await chart.locator('[data-testid="fairness-row"]').count(), 10);
  assertNoErrors(page);
  await page.context().close();
});

test('a page MkDocs built embeds live widgets; a packet opens and is claimed in it', async () => {
  const page = await newPage(browser);
  await page.goto(`${mkdocs.url}/`);
  // MkDocs's own theme around it: the page is MkDocs's, the widget ours.
  assert.match(await page.locator('footer').innerText(), /Documentation built with MkDocs/);
  const claim = page.locator('#mkdocs-claim');
  assert.match(await claimIn(claim), /\d/);
  await page.locator('#mkdocs-send [data-testid="embed-start"]').waitFor();
  await screenshot(page, 'embed-mkdocs-page');
  assertNoErrors(page);
  await page.context().close();
});

test('the plain HTML page of the docs embeds a live widget', async () => {
  const page = await newPage(browser);
  await page.goto(`${plain.url}/`);
  assert.match(await claimIn(page.locator('#plain-claim')), /\d/);
  await screenshot(page, 'embed-plain-page');
  assertNoErrors(page);
  await page.context().close();
});
