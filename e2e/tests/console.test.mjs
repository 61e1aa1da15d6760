// The researcher's console on the real server (issue 14): a researcher signs in with their own
// account, makes a study in the console (kept in the server's database), and 30 participants in
// separate browser contexts follow its link and do its task. Their variants follow the
// published rule; the console's results arrive live (the server's stream, no reload) and equal
// both the server's own export and a recomputation from the console's CSV; each participant's
// events are posted with the token its page got for the study (no user; the server sets the
// study, participant and variant); a participant's page never loads the console and its
// account gets 403 from every researcher endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, launch, newPage, waitForApp, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openChat, fillEntry, enterPin, holdToConfirm } from '../lib/flows.mjs';
import { startServer, api, token } from '../lib/server.mjs';
import { assigned } from '../lib/assign.mjs';

const RESEARCHER = { username: 'rita', password: 'e2e console password' };
const PARTICIPANTS = 30;
/** Participants at once (separate contexts; two cores). */
const AT_ONCE = 5;
const KEY = 'send-basics-copy';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let real, browser;
before(async () => { real = await startServer({ researcher: RESEARCHER }); browser = await launch(); });
after(async () => { await browser?.close(); real?.stop(); });

/** RFC 4180 CSV → rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/**
 * Per variant: participants, senders and slips (a participant's first send whose actual packet
 * is not the intended one), from events `{ type, experiment, variant, participant, forced,
 * intended, actual }`, unforced only — the lab's rule (src/lab/results.rs), written again.
 */
function recompute(events) {
  const people = new Map();
  for (const e of events) {
    if (e.experiment !== KEY || e.forced) continue;
    if (!people.has(e.participant)) people.set(e.participant, { variant: e.variant, send: null });
    const p = people.get(e.participant);
    if (e.type === 'send' && p.send === null) p.send = { slip: Boolean(e.intended) && e.intended !== e.actual };
  }
  const out = {};
  for (const p of people.values()) {
    const v = (out[p.variant] ??= { participants: 0, sent: 0, slips: 0 });
    v.participants++;
    if (p.send) { v.sent++; if (p.send.slip) v.slips++; }
  }
  return out;
}

/** The two-sided p of the pooled two-proportion z-test (Φ by Abramowitz–Stegun 7.1.26). */
function twoProportionP(a, b) {
  const p = (a.slips + b.slips) / (a.sent + b.sent);
  const se = Math.sqrt(p * (1 - p) * (1 / a.sent + 1 / b.sent));
  const z = Math.abs(a.slips / a.sent - b.slips / b.sent) / se;
  const x = z / Math.SQRT2, t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return 1 - erf;
}

/** The console's result rows: variant → counts. */
async function consoleRows(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="lab-result-row"]')]
    .map((r) => [r.dataset.variant, { participants: Number(r.dataset.participants), sent: Number(r.dataset.sent), slips: Number(r.dataset.slips) }])));
}

/**
 * Sends through whatever stages the participant's variant has, until the task card offers
 * "Done" (the send is recorded). Not `sendPacket`: the other participants send into the same
 * chat at the same time, so a new bubble there is not necessarily this page's.
 */
async function sendOwn(page, opts) {
  await fillEntry(page, opts);
  await byTestId(page, 'next-button').click();
  const [review, pin, hold, next] = ['review-sheet', 'pin-pad', 'hold-confirm', 'study-next'].map((id) => byTestId(page, id));
  for (let step = 0; step < 4; step++) {
    await Promise.race([review, pin, hold, next].map((l) => l.waitFor().catch(() => {})));
    if (await next.isVisible()) return;
    if (await review.isVisible()) { await byTestId(page, 'confirm-button').click(); await review.waitFor({ state: 'hidden' }); continue; }
    if (await pin.isVisible()) { await enterPin(page); await pin.waitFor({ state: 'hidden' }); continue; }
    if (await hold.isVisible()) await holdToConfirm(page);
  }
  await next.waitFor();
}

/** One participant: the link, consent, the task (a slip when `slip`: ¥3.00 for ¥2.00), done. */
async function participate(link, id, slip) {
  const page = await newPage(browser, { viewport: PHONE });
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${link}&participant=${id}&lang=en`);
  await byTestId(page, 'study-accept').click();
  const card = byTestId(page, 'study-task');
  await card.waitFor();
  const variant = await card.getAttribute('data-variant');
  await openChat(page, 'family');
  await sendOwn(page, { kind: 'lucky', amount: slip ? '3.00' : '2.00', count: 2 });
  await byTestId(page, 'study-next').click();
  await byTestId(page, 'study-done').waitFor();
  assert.deepEqual(fetched.filter((p) => /split_lab|sheet_lab|activate_lab/.test(p)), [], `${id} loads nothing of the console`);
  assertNoErrors(page);
  await page.context().close();
  return variant;
}

test('the console on the real server: a study made there, 30 participants, live results equal to the export', async () => {
  const page = await newPage(browser, { viewport: DESKTOP });
  await page.goto(`${real.url}/?lang=en`);
  await waitForApp(page);
  await page.evaluate(() => { window.__sameDocument = true; });
  await byTestId(page, 'tab-lab').click();

  // Signing in: a wrong password and a demo user's account are refused.
  const signIn = async (user, password) => {
    await byTestId(page, 'lab-signin-user').fill(user);
    await byTestId(page, 'lab-signin-password').fill(password);
    await byTestId(page, 'lab-signin-submit').click();
  };
  await signIn(RESEARCHER.username, 'not the password');
  await byTestId(page, 'lab-signin-error').waitFor();
  await signIn('alice', 'hongbao');
  await page.waitForFunction(() => /researcher/i.test(document.querySelector('[data-testid="lab-signin-error"]')?.textContent ?? ''));
  await signIn(RESEARCHER.username, RESEARCHER.password);
  await page.waitForFunction((u) => document.querySelector('[data-testid="lab-researcher"]')?.textContent.endsWith(u), RESEARCHER.username);
  assert.equal(await byTestId(page, 'lab-signin').count(), 0);
  // The browser logs the two refusals (the wrong password's 401, alice's 403): nothing else.
  assert.deepEqual(page.errors.map((e) => e.match(/status of (\d+)/)?.[1]), ['401', '403'], page.errors.join('\n'));
  page.errors.length = 0;

  // A study made in the console: the shipped one duplicated, cut to one task, saved on the server.
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-editor"]')?.value.includes('"key"'));
  await byTestId(page, 'lab-study-duplicate').click();
  await page.waitForFunction((k) => document.querySelector('[data-testid="lab-study-select"]').value === k, KEY);
  const editor = byTestId(page, 'lab-study-editor');
  const study = JSON.parse(await editor.inputValue());
  study.tasks = [{ id: 'family-lucky', instruction: { zh: '在家人群发一个拼手气红包：2 个，共 ¥2.00', en: 'In Family, send a lucky packet: 2 shares, ¥2.00 in all' },
    intended: { chat: 'family', kind: 'lucky', amount: '2.00', count: 2 } }];
  await editor.fill(JSON.stringify(study, null, 2));
  await byTestId(page, 'lab-study-save').click();
  await page.waitForFunction((k) => document.querySelector('[data-testid="lab-study-status"]')?.textContent === `Saved: ${k}`, KEY);
  const rita = await token(real.url, RESEARCHER.username, RESEARCHER.password);
  const kept = await api(real.url, 'GET', '/studies', { token: rita });
  assert.equal(kept.status, 200);
  assert.deepEqual(kept.body.map((s) => [s.key, s.tasks.length]), [[KEY, 1]]);

  // Its link, and the results of it (none yet).
  const linkEl = page.locator(`[data-testid="lab-link"][data-study="${KEY}"][data-variant=""] [data-testid="lab-link-url"]`);
  const link = (await linkEl.textContent()).trim();
  assert.equal(link, `${real.url}/?study=${KEY}`);
  await byTestId(page, 'lab-results-for').selectOption(KEY);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="lab-result-row"]')].map((r) => r.dataset.variant).join() === 'three-stages,one-stage');
  assert.deepEqual(Object.values(await consoleRows(page)).map((r) => r.participants), [0, 0]);

  // The participants, a few at a time; every fourth one slips.
  const ids = Array.from({ length: PARTICIPANTS }, (_, i) => `console-${i + 1}`);
  const variants = {};
  for (let i = 0; i < ids.length; i += AT_ONCE) {
    const batch = ids.slice(i, i + AT_ONCE);
    const got = await Promise.all(batch.map((id, j) => participate(link, id, (i + j) % 4 === 0)));
    batch.forEach((id, j) => { variants[id] = got[j]; });
  }
  for (const id of ids) assert.equal(variants[id], assigned(KEY, id, study.variants), id);

  // Live: the console counts every participant without a reload.
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="lab-result-row"]')]
    .reduce((s, r) => s + Number(r.dataset.sent), 0) === n, PARTICIPANTS, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  const shown = await consoleRows(page);

  // The server's own export: the console shows exactly its counts.
  const exported = await api(real.url, 'GET', '/lab/events?all=true', { token: rita });
  assert.equal(exported.status, 200);
  // Every event of the study came with its participant's token (no user), under the study,
  // participant and variant the server set from it.
  const studyEvents = exported.body.filter((e) => e.experiment === KEY);
  assert.ok(studyEvents.length >= PARTICIPANTS * 4, `${studyEvents.length} events`);
  assert.deepEqual(studyEvents.filter((e) => e.username !== null || e.study !== KEY || !(e.participant in variants)
    || e.variant !== variants[e.participant] || e.forced !== false), [], 'each posted with its participant token');
  const fromServer = recompute(exported.body);
  assert.deepEqual(shown, fromServer);
  assert.equal(Object.values(fromServer).reduce((n, v) => n + v.slips, 0), Math.ceil(PARTICIPANTS / 4));

  // The console's CSV, recomputed here: the same counts, slip rates and test.
  await byTestId(page, 'lab-export-csv').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-export-text"]')?.value.includes('\n'));
  const [header, ...rows] = parseCsv(await byTestId(page, 'lab-export-text').inputValue());
  const col = (name) => header.indexOf(name);
  const events = rows.filter((r) => r.length === header.length).map((r) => ({
    type: r[col('type')], experiment: r[col('experiment')], variant: r[col('variant')], participant: r[col('participant')],
    forced: r[col('forced')] === 'true', intended: r[col('intended')], actual: r[col('actual')],
  }));
  const fromCsv = recompute(events);
  assert.deepEqual(fromCsv, shown);
  for (const [variant, v] of Object.entries(fromCsv)) {
    const rate = await page.locator(`[data-testid="lab-result-row"][data-variant="${variant}"]`).getAttribute('data-slip-rate');
    assert.equal(rate, (v.slips / v.sent).toFixed(4), variant);
  }
  const { 'three-stages': a, 'one-stage': b } = fromCsv;
  const ztest = page.locator('[data-testid="lab-ztest"]');
  const p = await ztest.first().getAttribute('data-p');
  if (a.slips + b.slips > 0) assert.ok(Math.abs(Number(p) - twoProportionP(a, b)) < 1e-4, `p ${p}`);
  // The console scrolls inside the app's frame: a tall window shows all of it at once.
  const shots = async (lang) => {
    await page.screenshot({ path: `${ARTIFACTS}/console-desktop-${lang}.png` });
    await page.setViewportSize({ width: DESKTOP.width, height: 2400 });
    await page.screenshot({ path: `${ARTIFACTS}/console-whole-desktop-${lang}.png` });
    await page.setViewportSize(DESKTOP);
  };
  await shots('en');
  await byTestId(page, 'lang-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-studies"] h2').textContent === '研究');
  await shots('zh');

  // A participant's account (the demo user the study acts as) gets 403 from every researcher endpoint.
  const alice = await token(real.url, 'alice');
  for (const [method, route, body] of [
    ['GET', '/studies'], ['PUT', `/studies/${KEY}`, study], ['DELETE', `/studies/${KEY}`],
    ['GET', '/lab/events?all=true'], ['POST', '/lab/events/ticket'],
  ]) {
    const res = await api(real.url, method, route, { token: alice, body });
    assert.deepEqual([res.status, res.body?.error?.code], [403, 'forbidden'], `${method} ${route}`);
  }
  assertNoErrors(page);
  await page.context().close();
});
