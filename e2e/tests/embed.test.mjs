// Embedding (PRODUCT §7, issue 7): the module script on a hostile page under a strict CSP,
// several independent widgets in shadow roots, DOM events, unmount; and the iframe mode.
// A widget shows a stand-in (`embed-start`) until pressed; then it fetches its scene's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serveStatic, launch, newPage, screenshot, assertNoErrors } from '../lib/harness.mjs';
import { embedRoot, CSP, watchCsp, claimIn, manifest } from '../lib/embed.mjs';

let dir, root, browser;
before(async () => {
  dir = embedRoot();
  root = dir.root;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  dir?.remove();
});

test('three widgets on a hostile page under a strict CSP work independently and unmount cleanly', async () => {
  const server = await serveStatic(root, { 'content-security-policy': CSP });
  try {
    const page = await newPage(browser);
    await watchCsp(page);
    const modules = [];
    // The wasm modules, and the packs in which the scenes' modules travel (xtask/src/build.rs).
    page.on('request', (r) => { if (/\.(wasm|bin)$/.test(r.url())) modules.push(path.basename(new URL(r.url()).pathname)); });
    await page.goto(`${server.url}/hostile.html`);
    const w1 = page.locator('#w1'), w2 = page.locator('#w2'), w3 = page.locator('#w3');
    // Before anyone presses anything: each widget shows its stand-in, and the page has
    // fetched the embed's main module only.
    for (const w of [w1, w2, w3]) {
      await w.locator('[data-testid="embed-start"]').waitFor({ state: 'visible', timeout: 20000 });
    }
    const files = manifest();
    assert.deepEqual(modules, [files['embed_bg.wasm'].file]);
    assert.equal(await w1.locator('[data-testid="embed-start"] .hb-bubble-status').innerText(), '领取红包');
    assert.equal(await w2.locator('[data-testid="embed-start"]').innerText(), '🧧 Send a red packet');
    // Shadow roots, with the CSS as a same-origin <link> inside.
    const shadow = await page.evaluate((css) => ['w1', 'w2', 'w3'].map((id) => {
      const s = document.getElementById(id).shadowRoot;
      return { link: !!s?.querySelector(`link[rel=stylesheet][href$="/${css}"]`), style: !!s?.querySelector('style') };
    }), files['hongbao.css'].file);
    assert.deepEqual(shadow, Array(3).fill({ link: true, style: false }));
    /** The page's font-size, display and position rules do not reach inside. */
    const assertUnbroken = async (w) => {
      const looks = await w.locator('.hb-app').first().evaluate((el) => {
        const s = getComputedStyle(el);
        const b = el.querySelector('button');
        return { size: s.fontSize, button: b && getComputedStyle(b).display, pos: getComputedStyle(el).position };
      });
      assert.equal(looks.size, '16px');
      assert.ok(looks.button && looks.button !== 'none', JSON.stringify(looks));
      assert.notEqual(looks.pos, 'absolute');
    };
    await assertUnbroken(w2);
    await screenshot(page, 'embed-hostile-page-stand-ins');

    // Started, each fetches its scene's modules once (the three share them).
    // w3 from the keyboard: its focus stays in the widget when the stand-in goes. Then w2 by
    // a click (its send flow, once open, takes the focus as in the app).
    await w3.locator('[data-testid="embed-start"]').focus();
    await page.keyboard.press('Enter');
    await w3.locator('[data-testid="lang-switch"]').waitFor({ state: 'visible', timeout: 20000 });
    await page.waitForFunction(() => !document.getElementById('w3').shadowRoot.querySelector('[data-testid="embed-start"]'));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'w3');
    await w2.locator('[data-testid="embed-start"]').click();
    await w2.locator('[data-testid="send-flow"]').waitFor({ state: 'visible', timeout: 20000 });
    await assertUnbroken(w3);
    // Each scene's own pack once: the app (w3), the send demo (w2); not yet the claim demo's.
    for (const [pack, n] of [['pack_scene_app.', 1], ['pack_scene_send.', 1], ['pack_scene_claim.', 0]]) {
      assert.equal(modules.filter((m) => m.startsWith(pack)).length, n, `${pack}: ${modules.join(' ')}`);
    }
    assert.equal(new Set(modules).size, modules.length, `fetched twice: ${modules.join(' ')}`);
    // claim-demo: pressing bob's packet starts the scene and opens the packet, as alice.
    const amount = await claimIn(w1);
    await w1.locator('[data-testid="chat-view-family"]').waitFor();
    assert.match(amount, /\d/);
    // send-demo: the send flow is open in w2.
    await w2.locator('[data-testid="send-flow"]').waitFor();
    // w3 has its own state: none of bob's packets.
    await w3.locator('[data-testid="chat-family"]').click();
    await w3.locator('[data-testid="chat-view-family"]').waitFor();
    await w3.locator('.hb-empty').waitFor(); // its chat has loaded, empty
    assert.equal(await w3.locator('[data-testid="packet-bubble"]').count(), 0);
    assert.equal(await page.evaluate(() => document.querySelector('#w3').shadowRoot.querySelector('[data-variant]')?.dataset.variant), 'A');
    const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hongbao:mock:')).sort());
    // Each widget its own key; one that changed nothing (w2's open sheet, w3's browsing) has
    // written nothing yet.
    assert.deepEqual(keys.filter((k) => /^hongbao:mock:embed-\d$/.test(k)), ['hongbao:mock:embed-0']);

    // The DOM events reached the page, from the right element, with details.
    await page.waitForFunction(() => window.hbEvents.some((e) => e.type === 'hongbao:claimed'));
    const events = await page.evaluate(() => window.hbEvents);
    const sent = events.find((e) => e.type === 'hongbao:sent');
    const claimed = events.find((e) => e.type === 'hongbao:claimed');
    assert.equal(sent.target, 'w1');
    assert.equal(sent.detail.sender, 'bob');
    assert.equal(claimed.target, 'w1');
    assert.equal(claimed.detail.user, 'alice');
    assert.equal(claimed.detail.packetId, sent.detail.packetId);
    assert.ok(claimed.bubbles && claimed.composed);
    await screenshot(page, 'embed-hostile-page');

    // JS API: mount one more, then unmount it and an auto-mounted one.
    await page.evaluate(() => { window.w4 = window.Hongbao.mount(document.getElementById('w4'), { scene: 'claim-demo', storage: 'w4', lang: 'en' }); });
    const w4Status = page.locator('#w4').locator('[data-testid="embed-start"] .hb-bubble-status');
    await w4Status.waitFor();
    assert.equal(await w4Status.innerText(), 'Open the packet');
    // setLang reaches a widget that has not started.
    assert.equal(await page.evaluate(() => window.w4.setLang('zh')), true);
    assert.equal(await w4Status.innerText(), '领取红包');
    // Mounting the same element again replaces the widget: the first one is unmounted.
    const remount = await page.evaluate(() => {
      const first = window.w4;
      window.w4 = window.Hongbao.mount(document.getElementById('w4'), { scene: 'claim-demo', storage: 'w4b', lang: 'en' });
      return { firstAlive: first.setLang('zh'), roots: document.getElementById('w4').shadowRoot.querySelectorAll('[data-testid="embed-root"]').length };
    });
    assert.deepEqual(remount, { firstAlive: false, roots: 1 });
    await page.locator('#w4').locator('[data-testid="embed-start"]').waitFor();
    await page.evaluate(() => { window.w4.unmount(); window.Hongbao.widgets[2].unmount(); });
    const left = await page.evaluate(() => ['w4', 'w3'].map((id) => document.getElementById(id).shadowRoot.childNodes.length));
    assert.deepEqual(left, [0, 0]);
    await w1.locator('[data-testid="packet-card"]').waitFor(); // the others stay (w1's card still open)

    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
    assertNoErrors(page);
    await page.context().close();
  } finally {
    await server.close();
  }
});

test('a scene whose code cannot be fetched says so, loads when pressed again, and stops nothing else', async () => {
  const server = await serveStatic(root, { 'content-security-policy': CSP });
  try {
    const page = await newPage(browser);
    let offline = true;
    await page.route(/pack_scene_send\.[0-9a-f]+\.bin$/, (route) => (offline ? route.abort('internetdisconnected') : route.continue()));
    await page.goto(`${server.url}/hostile.html`);
    const w1 = page.locator('#w1'), w2 = page.locator('#w2');
    const start = w2.locator('[data-testid="embed-start"]');
    await start.click();
    await w2.locator('[data-testid="embed-start"][data-failed]').waitFor({ timeout: 20000 });
    assert.equal(await start.innerText(), 'Could not load. Try again');
    // The wasm instance lives on: the other widgets still work once the network is back.
    offline = false;
    await start.click();
    await w2.locator('[data-testid="send-flow"]').waitFor({ timeout: 20000 });
    assert.match(await claimIn(w1), /\d/);
    assertNoErrors(page, [/pack_scene_send/, /Failed to fetch|ERR_INTERNET_DISCONNECTED/]);
    await page.context().close();
  } finally {
    await server.close();
  }
});

test('iframe mode: events reach the parent origin; commands from a third origin are ignored', async () => {
  const [a, b, c] = [await serveStatic(root, { 'content-security-policy': CSP }), await serveStatic(root), await serveStatic(root)];
  try {
    const page = await newPage(browser);
    const frameUrl = `${a.url}/embed/frame.html?parentOrigin=${encodeURIComponent(b.url)}&scene=claim-demo&storage=f1&latency=0`;
    await page.goto(`${b.url}/parent.html?frame=${encodeURIComponent(frameUrl)}&evil=${encodeURIComponent(`${c.url}/evil.html`)}`);
    await page.waitForFunction(() => window.hbMessages.some((m) => m.data?.type === 'hongbao:ready'), null, { timeout: 20000 });
    const frame = page.frameLocator('#widget');
    await claimIn(frame);
    await page.waitForFunction(() => window.hbMessages.some((m) => m.data?.type === 'hongbao:claimed'));
    const messages = await page.evaluate(() => window.hbMessages);
    assert.ok(messages.every((m) => m.origin === a.url), JSON.stringify(messages));
    assert.ok(messages.some((m) => m.data.type === 'hongbao:sent' && m.data.detail.sender === 'bob'));
    assert.equal(messages.find((m) => m.data.type === 'hongbao:claimed').data.detail.user, 'alice');

    const lang = () => frame.locator('.hb-app').getAttribute('lang');
    assert.equal(await lang(), 'zh-CN');
    // A third origin cannot command the widget …
    // (The frame records the messages it receives, after the widget's own listener, which
    // frame.js added first: once the record has the message, the widget has handled it.)
    const widget = page.frames().find((f) => f.url().startsWith(`${a.url}/embed/frame.html`));
    await widget.evaluate(() => {
      window.received = [];
      window.addEventListener('message', (e) => window.received.push(e.origin));
    });
    const evil = page.frames().find((f) => f.url().startsWith(c.url));
    await evil.evaluate(() => window.parent.frames[0].postMessage({ type: 'hongbao:command', command: 'setLang', lang: 'en' }, '*'));
    await widget.waitForFunction((origin) => window.received.includes(origin), c.url);
    assert.equal(await lang(), 'zh-CN');
    // … the parent can.
    await page.evaluate((origin) => document.getElementById('widget').contentWindow
      .postMessage({ type: 'hongbao:command', command: 'setLang', lang: 'en' }, origin), a.url);
    await frame.locator('.hb-app[lang="en"]').waitFor();
    await screenshot(page, 'embed-iframe');
    assertNoErrors(page);
    await page.context().close();
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test('iframe mode resizes itself: the frame posts its height, the loader\'s helper applies it', async () => {
  const a = await serveStatic(root, { 'content-security-policy': CSP });
  // The parent allows frames from the widget's origin, and nothing else.
  const b = await serveStatic(root, { 'content-security-policy': `${CSP}; frame-src ${a.url}` });
  let page;
  try {
    page = await newPage(browser, { viewport: { width: 420, height: 1000 } });
    const frameUrl = `${a.url}/embed/frame.html?parentOrigin=${encodeURIComponent(b.url)}&scene=claim-demo&storage=f2&latency=0&lang=en&motion=off`;
    await page.goto(`${b.url}/resize.html?frame=${encodeURIComponent(frameUrl)}`);
    /** The last height the frame posted, once the iframe has it. */
    const applied = () => page.waitForFunction((origin) => {
      const sizes = window.hbMessages.filter((m) => m.origin === origin && m.data?.type === 'hongbao:resize');
      const last = sizes.at(-1)?.data.height;
      return last > 0 && document.getElementById('widget').clientHeight === last && last;
    }, a.url, { timeout: 20000 }).then((h) => h.jsonValue());
    await page.frameLocator('#widget').locator('[data-testid="embed-start"]').waitFor({ timeout: 20000 });
    const standIn = await applied();
    assert.ok(standIn < 200, `the stand-in's frame: ${standIn}px`);
    // Messages come from the frame's origin only; one from elsewhere (here the page itself)
    // is not applied.
    assert.ok((await page.evaluate(() => window.hbMessages)).every((m) => m.origin === a.url));
    await page.evaluate(() => window.postMessage({ type: 'hongbao:resize', height: 5 }, '*'));
    await page.waitForFunction(() => window.hbMessages.some((m) => m.data?.height === 5));
    assert.equal(await page.evaluate(() => document.getElementById('widget').clientHeight), standIn);
    // Started, the widget grows (the phone) and so does the frame.
    await claimIn(page.frameLocator('#widget'));
    const started = await applied();
    assert.ok(started >= 700, `the started widget's frame: ${started}px`);
    await screenshot(page, 'embed-iframe-resized');
    assertNoErrors(page);
  } finally {
    // (Closed first: a server's close waits for the page's open connections.)
    await page?.context().close();
    await Promise.all([a.close(), b.close()]);
  }
});
