// Accessibility audited by a real engine (issue 16, item 7): axe-core's WCAG 2.1 A/AA rules on
// every screen — the chat list, a chat, each stage of the send flow (entry, review with
// warnings, PIN), the recall confirmation, the packet card closed and open, its details, the
// wallet's ledger, the settings and the lab tab — in zh and en, at phone (390×844) and desktop
// (1280×800) size, in light and dark colour schemes. Zero violations, and every interactive
// element on those screens at least 44×44 px. One browser context per (size, language,
// scheme), walking the screens in one page; a screenshot of each screen goes to
// target/e2e/a11y-<size>-<lang>-<scheme>-<nn>-<screen>.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, settled } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket, switchUser, claimedAmount, closeCard, fillEntry, enterPin, bubble } from '../lib/flows.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
/** WCAG 2.5.5 (Target Size): at least 44 × 44 CSS px. */
const MIN_TARGET = 44;

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** axe-core's violations of the WCAG 2.1 A/AA rules on the page as it is now. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, TAGS);
}

/**
 * Every visible interactive element smaller than MIN_TARGET in either direction. A form
 * control counts with its labels (`el.labels`, wrapping or `for=`): a press on a label acts on
 * the control, so a label of at least 44 × 44 px is its target (WCAG 2.5.5's "equivalent"
 * exception: the settings' 24 px checkboxes sit beside a full-width 44 px label). Exempt, as
 * WCAG 2.5.5 allows: a link inside a sentence (an inline element among text, whose size the
 * line of text sets). The app has none today; the exemption is spelled out so that one added
 * later is judged by the rule, not by this test.
 */
async function smallTargets(page) {
  return page.evaluate((min) => {
    const selector = 'button, a[href], input:not([type="hidden"]), select, textarea, summary, '
      + '[role="button"], [role="link"], [role="tab"], [role="checkbox"], [role="radio"], '
      + '[role="switch"], [role="menuitem"], [role="option"], [tabindex]:not([tabindex="-1"])';
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
      && !el.closest('[inert], [aria-hidden="true"]');
    const inlineLink = (el) => el.matches('a[href]') && getComputedStyle(el).display === 'inline'
      && [...el.parentElement.childNodes].some((n) => n !== el && n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const describe = (el) => {
      const id = el.getAttribute('data-testid');
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${id ? `[data-testid="${id}"]` : ''}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} "${name}"`;
    };
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
      if (!shown(el) || inlineLink(el)) continue;
      const boxes = [el, ...(el.labels ?? [])].filter(shown).map((t) => t.getBoundingClientRect());
      if (boxes.some((b) => b.width >= min - 0.5 && b.height >= min - 0.5)) continue;
      const r = el.getBoundingClientRect();
      small.push(`${describe(el)}: ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
    }
    return small;
  }, MIN_TARGET);
}

/** The problems of one screen, printed so that each can be found and fixed. */
function report(screen, violations, small) {
  const lines = [];
  for (const v of violations) {
    lines.push(`${screen}: axe ${v.id} (${v.impact}): ${v.help}`);
    for (const n of v.nodes) lines.push(`    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`);
  }
  for (const s of small) lines.push(`${screen}: touch target under ${MIN_TARGET}×${MIN_TARGET} px: ${s}`);
  return lines;
}

for (const size of Object.keys(SIZES)) {
  for (const lang of ['zh', 'en']) {
    for (const scheme of ['light', 'dark']) {
      test(`axe-core finds no WCAG 2.1 A/AA violation and every target is 44×44 px: ${size}, ${lang}, ${scheme}`, async () => {
        const page = await newPage(browser, { viewport: SIZES[size], colorScheme: scheme, reducedMotion: 'reduce' });
        const problems = [];
        let n = 0;
        const check = async (screen) => {
          await settled(page);
          problems.push(...report(screen, await axeViolations(page), await smallTargets(page)));
          n += 1;
          await screenshot(page, `a11y-${size}-${lang}-${scheme}-${String(n).padStart(2, '0')}-${screen}`);
        };

        // Three stages with a PIN, so that every stage shows; a long recall window.
        await openApp(page, server.url, { stages: '3', auth: 'pin', lang, motion: 'off', window: '3600' });
        await check('chats');
        await openChat(page, 'family');
        await check('chat');
        // 250 in a group raises a warning on the review.
        await fillEntry(page, { kind: 'lucky', amount: '250', count: 10, greeting: 'A11y' });
        await check('send-entry');
        await byTestId(page, 'next-button').click();
        await byTestId(page, 'warning').first().waitFor();
        await check('send-review');
        await byTestId(page, 'confirm-button').click();
        await byTestId(page, 'pin-pad').waitFor();
        await check('send-pin');
        const before = await byTestId(page, 'packet-bubble').count();
        await enterPin(page);
        await byTestId(page, 'packet-bubble').nth(before).waitFor();
        const id = await byTestId(page, 'packet-bubble').last().getAttribute('data-packet-id');
        await byTestId(page, 'recall-button').first().waitFor();
        await check('chat-sent');
        await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
        const dialog = page.locator(`[data-testid="recall-dialog"][data-packet-id="${id}"]`);
        await dialog.waitFor();
        await check('recall-confirm');
        await dialog.locator('[data-testid="recall-cancel"]').click();
        await dialog.waitFor({ state: 'detached' });

        // Bob opens alice's packet: the card closed, open, and its details.
        await switchUser(page, 'bob');
        await openChat(page, 'family');
        await bubble(page, id).click();
        await byTestId(page, 'open-button').waitFor();
        await check('card-closed');
        await byTestId(page, 'open-button').click();
        await claimedAmount(page);
        await check('card-open');
        const toggle = byTestId(page, 'details-toggle');
        if (await toggle.isVisible()) await toggle.click();
        await byTestId(page, 'claim-list').waitFor();
        await check('card-details');
        await closeCard(page);

        await byTestId(page, 'tab-wallet').click();
        await byTestId(page, 'ledger-entry').first().waitFor();
        await check('wallet');
        await byTestId(page, 'settings').click();
        await byTestId(page, 'settings-panel').waitFor();
        await check('settings');
        await byTestId(page, 'tab-lab').click();
        await byTestId(page, 'lab-screen').waitFor();
        await check('lab');

        assert.equal(n, 13, 'every screen was audited');
        if (problems.length) assert.fail(`${problems.length} problem(s):\n${problems.join('\n')}`);
        assertNoErrors(page);
        await page.context().close();
      });
    }
  }
}
