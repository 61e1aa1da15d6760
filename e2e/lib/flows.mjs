// Reusable user journeys for the end-to-end tests, written only against the stable
// data-testid hooks of issue 4 (plus `recipient-select`, `clock-forward`, `reset-demo`).
import { byTestId, waitForApp, advance } from './harness.mjs';

/** Opens the app with settings from the query; defaults keep tests fast and deterministic. */
export async function openApp(page, baseUrl, params = {}) {
  const query = new URLSearchParams({ latency: '0', bots: 'off', storage: `t${Date.now()}${Math.floor(Math.random() * 1e6)}`, ...params });
  await page.goto(`${baseUrl}/?${query}`);
  await waitForApp(page);
}

/** Acts as `user` from now on (the identity switcher is a <select>). */
export async function switchUser(page, user) {
  await byTestId(page, 'identity-switch').selectOption(user);
}

export async function openChat(page, chatId) {
  const tab = byTestId(page, 'tab-chats');
  if (await tab.count()) await tab.click();
  await byTestId(page, `chat-${chatId}`).click();
  await byTestId(page, `chat-view-${chatId}`).waitFor();
}

/**
 * Fills stage 1 of the send flow in the open chat and presses Next.
 * `kind`: lucky|normal|personal|exclusive; `amount` is the total for lucky, per share otherwise.
 */
export async function fillEntry(page, { kind = 'lucky', amount, count, greeting, recipient }) {
  if (!(await byTestId(page, 'amount-input').isVisible().catch(() => false))) {
    await byTestId(page, 'new-packet').click();
  }
  await byTestId(page, `kind-${kind}`).click();
  if (recipient) await byTestId(page, 'recipient-select').selectOption(recipient);
  if (count !== undefined) await byTestId(page, 'count-input').fill(String(count));
  await byTestId(page, 'amount-input').fill(String(amount));
  if (greeting !== undefined) await byTestId(page, 'greeting-input').fill(greeting);
}

/** Enters the demo PIN on the pin pad. */
export async function enterPin(page, pin = '123456') {
  for (const digit of pin) await byTestId(page, `pin-digit-${digit}`).click();
}

/**
 * Sends a packet through whichever stages the settings run, and returns its id (the newest
 * packet bubble's data-packet-id).
 */
export async function sendPacket(page, opts) {
  const before = await byTestId(page, 'packet-bubble').count();
  await fillEntry(page, opts);
  await byTestId(page, 'next-button').click();
  const review = byTestId(page, 'review-sheet');
  const pin = byTestId(page, 'pin-pad');
  const hold = byTestId(page, 'hold-confirm');
  const bubbles = byTestId(page, 'packet-bubble');
  for (let step = 0; step < 3; step++) {
    await Promise.race([
      review.waitFor().catch(() => {}), pin.waitFor().catch(() => {}), hold.waitFor().catch(() => {}),
      bubbles.nth(before).waitFor().catch(() => {}),
    ]);
    if (await bubbles.count() > before) break;
    if (await review.isVisible()) { await byTestId(page, 'confirm-button').click(); await review.waitFor({ state: 'hidden' }); continue; }
    if (await pin.isVisible()) { await enterPin(page, opts.pin); await pin.waitFor({ state: 'hidden' }); continue; }
    if (await hold.isVisible()) { await holdToConfirm(page); continue; }
  }
  await bubbles.nth(before).waitFor();
  return bubbles.last().getAttribute('data-packet-id');
}

/** How long hold-to-confirm must be held (src/flows/send/authorize.rs, HOLD_MS). */
export const HOLD_MS = 1000;
/** The hold's progress ticks this often; the send happens on the first tick after HOLD_MS. */
export const HOLD_TICK_MS = 30;

/**
 * Presses and holds the hold-to-confirm button until it confirms. With `{ paused: true }` the
 * page's clock is paused (harness `pauseClock`) and the hold lasts exactly HOLD_MS and one tick
 * of it; otherwise the real second passes.
 */
export async function holdToConfirm(page, { paused = false } = {}) {
  const hold = byTestId(page, 'hold-confirm');
  await hold.hover();
  await page.mouse.down();
  if (paused) await advance(page, HOLD_MS + HOLD_TICK_MS);
  await hold.waitFor({ state: 'hidden' });
  await page.mouse.up();
}

/** Opens packet `id` in the open chat and claims it; returns the revealed amount text. */
export async function claimPacket(page, id) {
  await page.locator(`[data-testid="packet-bubble"][data-packet-id="${id}"]`).click();
  await byTestId(page, 'open-button').click();
  return claimedAmount(page);
}

/**
 * The revealed amount's text once the count-up has ended: when the amount shows what the card
 * announced to screen readers on the claim's answer ("你领取了 ¥x.xx…" / "You received ¥x.xx…").
 * The count-up runs on animation frames: with the page's clock paused, advance it first.
 */
export async function claimedAmount(page) {
  const amount = byTestId(page, 'claimed-amount');
  await amount.waitFor();
  const handle = await page.waitForFunction(() => {
    const card = document.querySelector('[data-testid="packet-card"]');
    const shown = card?.querySelector('[data-testid="claimed-amount"]')?.textContent.trim();
    const said = card?.querySelector('[role="status"]')?.textContent.match(/¥[\d,]+\.\d\d/)?.[0];
    return shown && shown === said ? shown : false;
  });
  return handle.jsonValue();
}

/** "¥1,234.56" / "1234.56" → 123456 fen. */
export function fen(text) {
  const m = String(text).replace(/[,\s¥￥]/g, '').match(/-?\d+(\.\d{1,2})?/);
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const [yuan, frac = ''] = m[0].split('.');
  return Number(yuan) * 100 + Math.sign(Number(yuan) || 1) * Number(frac.padEnd(2, '0'));
}

/**
 * Recalls packet `id` as its sender: Recall, then Confirm in the dialog that names the amount
 * and the chat. Returns the dialog's text. The dialog closes once the backend answered.
 */
export async function recallPacket(page, id) {
  await page.locator(`.hb-recall[data-packet-id="${id}"] [data-testid="recall-button"]`).click();
  const dialog = page.locator(`[data-testid="recall-dialog"][data-packet-id="${id}"]`);
  await dialog.waitFor();
  const text = await dialog.locator('[data-testid="recall-dialog-text"]').innerText();
  await dialog.locator('[data-testid="recall-confirm"]').click();
  await dialog.waitFor({ state: 'detached' });
  return text;
}

/** The bubble of packet `id` in the open chat. */
export const bubble = (page, id) => page.locator(`[data-testid="packet-bubble"][data-packet-id="${id}"]`);

/** Closes the packet card if it is open (Escape). */
export async function closeCard(page) {
  if (await byTestId(page, 'packet-card').isVisible()) {
    await page.keyboard.press('Escape');
    await byTestId(page, 'packet-card').waitFor({ state: 'hidden' });
  }
}

/** Sets a number in the settings panel (committed on Tab). */
export async function setNumber(page, key, value) {
  await byTestId(page, 'settings').click();
  const input = byTestId(page, `setting-${key}`);
  await input.fill(String(value));
  await input.press('Tab'); // commit (change event)
}

/**
 * Waits until the page is in one of `states` and returns its name (the first that holds, in
 * order). A state is a CSS selector whose first match is shown and accepts presses (not
 * disabled, aria-disabled or aria-busy), or `!selector`: nothing matches. For loops that act
 * on whatever the app shows next (retries under failure injection): each turn waits for a
 * state, never for a fixed time.
 */
export async function awaitState(page, states) {
  const handle = await page.waitForFunction((states) => {
    const ready = (el) => !!el && el.getClientRects().length > 0 && !el.disabled
      && el.getAttribute('aria-disabled') !== 'true' && el.getAttribute('aria-busy') !== 'true';
    for (const [name, selector] of Object.entries(states)) {
      const holds = selector.startsWith('!')
        ? !document.querySelector(selector.slice(1))
        : ready(document.querySelector(selector));
      if (holds) return name;
    }
    return false;
  }, states);
  return handle.jsonValue();
}
