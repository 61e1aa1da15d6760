// The app shell: it renders, responds to clicks, and speaks both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, waitForApp, screenshot, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openChat, sendPacket } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the chat list renders and opens the empty group chat', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/?latency=0&bots=off`);
  await waitForApp(page);
  await assert.doesNotReject(byTestId(page, 'chat-family').waitFor());
  assert.match(await byTestId(page, 'chat-family').innerText(), /相亲相爱一家人/);
  await screenshot(page, 'shell-chat-list-zh');

  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  assert.match(await page.locator('.hb-empty').innerText(), /还没有消息/);
  await screenshot(page, 'shell-family-empty-zh');

  await byTestId(page, 'back-button').click();
  await byTestId(page, 'chat-family').waitFor();
  assertNoErrors(page);
});

test('the language switch translates the shell, and ?lang=en starts in English', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/?latency=0&bots=off`);
  await waitForApp(page);
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  assert.match(await byTestId(page, 'chat-family').innerText(), /Family/);
  // Everything but the switch itself (which offers 中文) is English now.
  const text = (await page.locator('.hb-screen').innerText()) + (await page.locator('.hb-title').innerText());
  assert.doesNotMatch(text, /[\u4e00-\u9fff]/, `untranslated text: ${text}`);
  await screenshot(page, 'shell-chat-list-en');

  const page2 = await newPage(browser);
  await page2.goto(`${server.url}/?lang=en`);
  await waitForApp(page2);
  assert.equal(await page2.locator('.hb-app').getAttribute('lang'), 'en');
  assertNoErrors(page);
  assertNoErrors(page2);
});

test('keyboard only: Tab reaches the group chat and Enter opens it', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/?latency=0&bots=off`);
  await waitForApp(page);
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset?.testid) === 'chat-family') break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'chat-family');
  await page.keyboard.press('Enter');
  await byTestId(page, 'chat-view-family').waitFor();
  assertNoErrors(page);
});

/** The computed `property` of the element `selector` from the first frame it exists in. */
async function styleOnArrival(page, selector, property) {
  const handle = await page.waitForFunction(([selector, property]) => {
    const el = document.querySelector(selector);
    return el ? getComputedStyle(el)[property] : false;
  }, [selector, property], { polling: 'raf' });
  return handle.jsonValue();
}

test('a returning visitor restores the saved demo with modules preloaded beside the main module; a first visit fetches none', async () => {
  const page = await newPage(browser);
  const wasm = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
  });
  await page.goto(`${server.url}/?latency=0&bots=off&lang=en`);
  await waitForApp(page);
  assert.deepEqual(wasm, ['/hongbao_bg.wasm'], 'a first visit restores nothing');
  // Something to restore: a packet sent in Family.
  await openChat(page, 'family');
  await sendPacket(page, { kind: 'normal', amount: '0.66', count: 1 });
  const bubbles = await byTestId(page, 'packet-bubble').count();
  wasm.length = 0;
  await page.reload();
  await waitForApp(page);
  await byTestId(page, 'chat-view-family').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="packet-bubble"]').length === n, bubbles);
  assert.equal(wasm.filter((p) => p === '/split_restore_mock.wasm').length, 1, `fetched once: ${wasm}`);
  // Fetched by the page's preload, not after the main module had started.
  const initiators = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname.startsWith('/split_restore_mock')).map((e) => e.initiatorType));
  assert.deepEqual(initiators, ['link']);
  assertNoErrors(page);
  await page.context().close();
});

test('the first screen loads the main module only; each split view loads its chunk when first shown', async () => {
  const page = await newPage(browser);
  const wasm = [];
  const css = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
    if (path.endsWith('.css')) css.push(path);
  });
  await page.goto(`${server.url}/?latency=0&bots=off&lang=en`);
  await waitForApp(page);
  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  assert.deepEqual(wasm, ['/hongbao_bg.wasm'], 'the chats need no lazy module');
  assert.deepEqual(css, ['/hongbao.css'], 'nor the stylesheets of the lazy views');
  const loads = async (open, testid, chunk) => {
    const before = wasm.length;
    await open();
    await byTestId(page, testid).first().waitFor();
    const fetched = wasm.slice(before);
    assert.ok(fetched.includes(`/split_${chunk}.wasm`), `${chunk}: fetched ${fetched}`);
  };
  await loads(() => byTestId(page, 'new-packet').click(), 'amount-input', 'send_flow');
  await page.keyboard.press('Escape');
  await byTestId(page, 'amount-input').waitFor({ state: 'detached' });
  // The send flow's, the wallet's and the lab's stylesheets come with their modules, and the
  // views are styled from their first frame (wallet.css: the balance at 34 px; lab.css: the
  // lab a flex column), never shown unstyled.
  const balance = styleOnArrival(page, '[data-testid="wallet-balance"]', 'fontSize');
  await loads(() => byTestId(page, 'tab-wallet').click(), 'wallet-balance', 'wallet_screen');
  assert.equal(await balance, '34px');
  await loads(() => byTestId(page, 'settings').click(), 'setting-stages', 'settings_screen');
  const lab = styleOnArrival(page, '[data-testid="lab-screen"]', 'display');
  await loads(() => byTestId(page, 'tab-lab').click(), 'lab-screen', 'lab_screen');
  assert.equal(await lab, 'flex');
  assert.deepEqual(css, ['/hongbao.css', '/sheet_send.css', '/sheet_wallet.css', '/sheet_lab.css']);
  // A view shown again is not fetched again.
  const count = wasm.length;
  await byTestId(page, 'tab-wallet').click();
  await byTestId(page, 'wallet-balance').waitFor();
  assert.equal(wasm.length, count);
  assert.equal(css.length, 4);
  assertNoErrors(page);
});

/** The app (in English) with the requests matching `pattern` failing until `online()`. */
async function offlineFor(pattern) {
  const page = await newPage(browser);
  let offline = true;
  await page.route(pattern, (route) => (offline ? route.abort('internetdisconnected') : route.continue()));
  await page.goto(`${server.url}/?latency=0&bots=off&lang=en`);
  await waitForApp(page);
  return { page, online: () => { offline = false; } };
}

test('a view whose stylesheet cannot be fetched works unstyled, and is styled when opened again', async () => {
  const { page, online } = await offlineFor(/sheet_wallet\.css$/);
  const unstyled = styleOnArrival(page, '[data-testid="wallet-balance"]', 'fontSize');
  await byTestId(page, 'tab-wallet').click();
  assert.notEqual(await unstyled, '34px', 'shown without wallet.css');
  assert.equal(await page.locator('link[data-hongbao-sheet="wallet"]').count(), 0, 'the failed link is gone');
  online();
  await byTestId(page, 'tab-chats').click();
  await byTestId(page, 'wallet-balance').waitFor({ state: 'detached' });
  const styled = styleOnArrival(page, '[data-testid="wallet-balance"]', 'fontSize');
  await byTestId(page, 'tab-wallet').click();
  assert.equal(await styled, '34px');
  assert.equal(await page.locator('link[data-hongbao-sheet="wallet"][data-loaded]').count(), 1);
  assertNoErrors(page, [/sheet_wallet/, /ERR_INTERNET_DISCONNECTED/]);
});

test('a view whose module cannot be fetched says so, and loads when tried again', async () => {
  const { page, online } = await offlineFor(/split_wallet_screen\.wasm$/);
  await byTestId(page, 'tab-wallet').click();
  const error = byTestId(page, 'split-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Could not load/);
  // The wasm instance lives on: try again once the network is back, and the wallet loads.
  online();
  await byTestId(page, 'split-retry').click();
  await byTestId(page, 'wallet-balance').waitFor();
  assert.equal(await error.count(), 0);
  await byTestId(page, 'tab-chats').click();
  await byTestId(page, 'chat-family').click();
  await byTestId(page, 'chat-view-family').waitFor();
  assertNoErrors(page, [/split_wallet_screen/, /Failed to fetch|ERR_INTERNET_DISCONNECTED/]);
});
