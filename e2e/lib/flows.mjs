// Reusable user journeys for the end-to-end tests, written only against the stable
// data-testid hooks of issue 4 (plus `recipient-select`, `clock-forward`, `reset-demo`).
import { byTestId, waitForApp } from './harness.mjs';

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

/** Presses and holds the hold-to-confirm button until it confirms. */
export async function holdToConfirm(page) {
  const hold = byTestId(page, 'hold-confirm');
  await hold.hover();
  await page.mouse.down();
  await hold.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  await page.mouse.up();
}

/** Opens packet `id` in the open chat and claims it; returns the revealed amount text. */
export async function claimPacket(page, id) {
  await page.locator(`[data-testid="packet-bubble"][data-packet-id="${id}"]`).click();
  await byTestId(page, 'open-button').click();
  return claimedAmount(page);
}

/** The revealed amount's text once the count-up has ended on the final value. */
export async function claimedAmount(page) {
  const amount = byTestId(page, 'claimed-amount');
  await amount.waitFor();
  // Wait until the text stops changing.
  let last = '', same = 0;
  for (let i = 0; i < 100 && same < 3; i++) {
    const now = await amount.innerText();
    same = now === last ? same + 1 : 0;
    last = now;
    await page.waitForTimeout(50);
  }
  return last;
}

/** "¥1,234.56" / "1234.56" → 123456 fen. */
export function fen(text) {
  const m = String(text).replace(/[,\s¥￥]/g, '').match(/-?\d+(\.\d{1,2})?/);
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const [yuan, frac = ''] = m[0].split('.');
  return Number(yuan) * 100 + Math.sign(Number(yuan) || 1) * Number(frac.padEnd(2, '0'));
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
