// The one dialog (src/dialog) on a page with several embedded widgets: Escape closes the dialog
// of the widget where it is pressed, never another widget's (they share one wasm instance, each
// in its own shadow root), and the focus goes back into that widget. On the app's page, Escape
// pressed before the dialog has moved the focus in (still on the button that opened it) closes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, settled, byTestId, installClock, pauseClock, resumeClock } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, bubble } from '../lib/flows.mjs';
import { embedRoot, CSP } from '../lib/embed.mjs';

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

/** The `data-testid` of the focused element, looking into the widgets' shadow roots. */
const focused = (page) => page.evaluate(() => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return { host: document.activeElement?.id ?? null, testid: el?.dataset?.testid ?? null };
});

test('Escape in one embedded widget closes its own dialog, not the dialog of another', async () => {
  const server = await serveStatic(root, { 'content-security-policy': CSP });
  try {
    const page = await newPage(browser);
    await page.goto(`${server.url}/hostile.html`);
    const w1 = page.locator('#w1'), w2 = page.locator('#w2');
    // w1: the claim demo opens bob's packet card; w2: the send demo opens the send sheet.
    await w1.locator('[data-testid="embed-start"]').click({ timeout: 20000 });
    const card = w1.locator('[data-testid="packet-card"]');
    await card.locator('[data-testid="open-button"]').waitFor({ timeout: 20000 });
    await w2.locator('[data-testid="embed-start"]').click();
    const sheet = w2.locator('[data-testid="send-flow"]');
    await sheet.locator('[data-testid="amount-input"]').waitFor({ timeout: 20000 });
    await screenshot(page, 'dialog-two-widgets-open');

    // Escape in w2's sheet: the sheet closes, w1's card stays open.
    await sheet.locator('[data-testid="amount-input"]').focus();
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await settled(page);
    assert.equal(await card.count(), 1, "w1's card was closed by w2's Escape");
    assert.ok(await card.isVisible());
    // The focus went back to w2's new-packet button, inside w2.
    await page.waitForFunction(() => document.activeElement?.id === 'w2'
      && document.getElementById('w2').shadowRoot.activeElement?.dataset?.testid === 'new-packet');

    // w2's sheet again, then Escape in w1's card: the card closes, the sheet stays.
    await w2.locator('[data-testid="new-packet"]').click();
    await sheet.locator('[data-testid="amount-input"]').waitFor();
    // The sheet moves the focus in on its next frame; only then does the user move it to w1.
    await page.waitForFunction(() => document.activeElement?.id === 'w2'
      && !!document.getElementById('w2').shadowRoot.activeElement?.closest('[data-testid="send-flow"]'));
    await card.locator('[data-testid="open-button"]').focus();
    assert.deepEqual(await focused(page), { host: 'w1', testid: 'open-button' });
    await page.keyboard.press('Escape');
    await card.waitFor({ state: 'detached' });
    await settled(page);
    assert.equal(await sheet.count(), 1, "w2's sheet was closed by w1's Escape");
    // The focus went back to the packet's bubble in w1.
    await page.waitForFunction(() => document.activeElement?.id === 'w1'
      && document.getElementById('w1').shadowRoot.activeElement?.dataset?.testid === 'packet-bubble');

    // Escape with the focus on the page outside the widgets closes nothing, even just after
    // the focus was in a dialog.
    await sheet.locator('[data-testid="amount-input"]').focus();
    await page.locator('body > h1').click();
    await page.keyboard.press('Escape');
    await settled(page);
    assert.equal(await sheet.count(), 1);
    assertNoErrors(page);
    await page.context().close();
  } finally {
    await server.close();
  }
});

test('Escape pressed before the dialog moved the focus in (still on its opener) closes it', async () => {
  const server = await serveStatic();
  try {
    const page = await newPage(browser);
    await installClock(page);
    await openApp(page, server.url, { stages: '1' });
    await openChat(page, 'family');
    const id = await sendPacket(page, { kind: 'lucky', amount: '5', count: 2, greeting: 'Esc' });
    await page.waitForFunction(() => location.hash === '#/chat/family');
    // With the page's clock paused no animation frame runs: the dialogs cannot move the focus.
    await pauseClock(page);
    for (const [opener, dialog] of [[bubble(page, id), 'packet-card'], [byTestId(page, 'new-packet'), 'send-flow']]) {
      await opener.click();
      await byTestId(page, dialog).waitFor();
      assert.ok(await opener.evaluate((el) => el === document.activeElement), `the focus is still on ${dialog}'s opener`);
      await page.keyboard.press('Escape');
      await byTestId(page, dialog).waitFor({ state: 'detached' });
    }
    await resumeClock(page);
    await page.waitForFunction(() => location.hash === '#/chat/family');
    assertNoErrors(page);
    await page.context().close();
  } finally {
    await server.close();
  }
});
