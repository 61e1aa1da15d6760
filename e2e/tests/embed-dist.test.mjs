// Distribution (issue 17, item 7): the embed bundle's files are named after their content,
// with a manifest (logical name → file and SRI hash); a page loads the loader's hashed file
// with `integrity` and `crossorigin`, under the strict CSP, and every file it then fetches is
// a hashed one. A wrong integrity value makes the browser refuse the loader: no widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp, claimIn, manifest, EMBED_DIST } from '../lib/embed.mjs';

let dir, server, browser, files;
before(async () => {
  dir = embedRoot();
  files = manifest();
  server = await serveStatic(dir.root, { 'content-security-policy': CSP });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  dir?.remove();
});

/** A page (written into the served directory) loading the hashed loader with `integrity`. */
function sriPage(name, integrity) {
  const loader = files['hongbao-embed.js'].file;
  fs.writeFileSync(path.join(dir.root, name), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SRI</title>
<link rel="icon" href="icon.svg">
<script src="script-errors.js"></script>
<script type="module" src="embed/${loader}" integrity="${integrity}" crossorigin="anonymous"></script>
</head><body><h1>SRI</h1>
<hong-bao id="w" scene="claim-demo" lang="en" storage="sri"></hong-bao>
</body></html>`);
  return `${server.url}/${name}`;
}

test('the manifest names every file after its content, with its SRI hash', () => {
  const names = Object.keys(files);
  for (const logical of ['hongbao-embed.js', 'embed.js', '__wasm_split.js', 'embed_bg.wasm', 'hongbao.css', 'frame.html', 'frame.js',
    'pack_scene_app.bin', 'pack_scene_claim.bin', 'pack_scene_send.bin', 'pack_scene_fairness.bin']) {
    assert.ok(names.includes(logical), `${logical} in the manifest`);
  }
  for (const [logical, { file, integrity }] of Object.entries(files)) {
    const bytes = fs.readFileSync(path.join(EMBED_DIST, file));
    const sha = crypto.createHash('sha384').update(bytes).digest();
    assert.equal(integrity, `sha384-${sha.toString('base64')}`, logical);
    if (logical.endsWith('.html')) {
      assert.equal(file, logical);
    } else {
      // name.<16 hex digits of the same hash>.ext
      const [, stem, hash, ext] = file.match(/^(.*)\.([0-9a-f]{16})\.([a-z]+)$/);
      assert.equal(`${stem}.${ext}`, logical);
      assert.equal(hash, sha.subarray(0, 8).toString('hex'));
    }
  }
  // Only the loader's stable copy and the pages keep a logical name.
  const plain = fs.readdirSync(EMBED_DIST).filter((f) => !/\.[0-9a-f]{16}\./.test(f)).sort();
  assert.deepEqual(plain, ['frame.html', 'hongbao-embed.js', 'manifest.json']);
});

test('a page loads the hashed loader with integrity and crossorigin; it fetches hashed files only', async () => {
  const page = await newPage(browser);
  await watchCsp(page);
  const fetched = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/embed/')) fetched.push(path.basename(url.pathname));
  });
  await page.goto(sriPage('sri-good.html', files['hongbao-embed.js'].integrity));
  const widget = page.locator('#w');
  assert.match(await claimIn(widget), /\d/);
  const hashed = new Set(Object.values(files).map((f) => f.file));
  assert.ok(fetched.length >= 5, fetched.join(' '));
  for (const f of fetched) assert.ok(hashed.has(f) && f !== 'hongbao-embed.js', `${f} is a hashed file`);
  assert.ok(fetched.includes(files['embed_bg.wasm'].file));
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(await page.evaluate(() => window.scriptErrors), []);
  await screenshot(page, 'embed-sri-page');
  assertNoErrors(page);
  await page.context().close();
});

test('a wrong integrity value makes the browser refuse the loader: nothing runs', async () => {
  const page = await newPage(browser);
  const fetched = [];
  page.on('request', (r) => fetched.push(path.basename(new URL(r.url()).pathname)));
  // A well-formed SHA-384 of other bytes.
  const wrong = `sha384-${crypto.createHash('sha384').update('not the loader').digest('base64')}`;
  await page.goto(sriPage('sri-bad.html', wrong));
  await page.waitForFunction(() => window.scriptErrors.length > 0);
  assert.deepEqual(await page.evaluate(() => window.scriptErrors), [`${server.url}/embed/${files['hongbao-embed.js'].file}`]);
  const state = await page.evaluate(() => ({
    hongbao: typeof window.Hongbao,
    element: typeof customElements.get('hong-bao'),
    shadow: !!document.getElementById('w').shadowRoot,
  }));
  assert.deepEqual(state, { hongbao: 'undefined', element: 'undefined', shadow: false });
  // The loader's own fetch was refused before it could import anything.
  assert.deepEqual(fetched.filter((f) => f !== 'sri-bad.html' && f !== 'script-errors.js' && f !== 'icon.svg'), [files['hongbao-embed.js'].file]);
  assertNoErrors(page, [/integrity/i]);
  await page.context().close();
});
