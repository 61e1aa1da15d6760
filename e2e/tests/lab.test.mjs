// The lab (PRODUCT §6): scripted participants under their assigned variants, results with
// exactly the scripted slips, export/import round trip, and the fairness view's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket } from '../lib/flows.mjs';

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const KEY = 'prevent-vs-recover';
const VARIANTS = ['A', 'B', 'C'];

/** The documented assignment rule (src/lab/assign.rs), reimplemented independently. */
function assigned(key, participant) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(`${key}:${participant}`)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  const bucket = Number(h % 10000n);
  return VARIANTS[VARIANTS.findIndex((_, i) => bucket * 3 < (i + 1) * 10000)];
}

const PARTICIPANTS = Array.from({ length: 40 }, (_, i) => `p${i + 1}`);
/** Who types 18.80 per person instead of 1.88 (the decimal slip), on purpose. */
const SLIPS = new Set(['p3', 'p5', 'p8', 'p10', 'p13', 'p17', 'p20', 'p24', 'p29', 'p31', 'p36', 'p40']);

/** Waits until the participant's stored lab events include a send, and returns them. */
async function storedEvents(page, storage, type = 'send') {
  const key = `hongbao:lab:${storage}`;
  await page.waitForFunction(([k, t]) => (localStorage.getItem(k) ?? '').includes(`"type":"${t}"`), [key, type]);
  return page.evaluate((k) => localStorage.getItem(k), key);
}

async function participant(id, extra = {}) {
  const page = await newPage(browser);
  const storage = `lab-${id}`;
  await openApp(page, server.url, { participant: id, experiment: KEY, storage, ...extra });
  const task = byTestId(page, 'lab-task');
  await task.waitFor();
  const variant = await task.getAttribute('data-variant');
  await openChat(page, 'family');
  await sendPacket(page, { kind: 'normal', amount: SLIPS.has(id) || extra.slip ? '18.80' : '1.88', count: 10 });
  const jsonl = await storedEvents(page, storage);
  assertNoErrors(page);
  await page.context().close();
  return { variant, jsonl };
}

async function resultRows(page) {
  const rows = {};
  for (const row of await byTestId(page, 'lab-result-row').all()) {
    const get = (a) => row.getAttribute(`data-${a}`);
    rows[await get('variant')] = {
      participants: Number(await get('participants')), sent: Number(await get('sent')),
      slips: Number(await get('slips')), rate: Number(await get('slip-rate')),
    };
  }
  return rows;
}

async function importInto(page, jsonl) {
  await byTestId(page, 'tab-lab').click();
  await byTestId(page, 'lab-import-text').fill(jsonl);
  await byTestId(page, 'lab-import').click();
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="lab-import-status"]')?.textContent ?? ''));
}

let allEvents = '';
const expected = Object.fromEntries(VARIANTS.map((v) => [v, { participants: 0, slips: 0 }]));

/** How many participants run at once, each in its own browser context. */
const AT_ONCE = 3;

// No time limit of its own: 40 page loads take minutes on a loaded machine (each step has
// Playwright's own bound). AT_ONCE participants at a time: a slot takes the next participant
// as soon as its own is done (most of a participant's time is the app's timers, not CPU).
test('40 participants do the task under their variants; the results show the scripted slips', async () => {
  const runs = new Array(PARTICIPANTS.length);
  let next = 0;
  const slot = async () => {
    while (next < PARTICIPANTS.length) {
      const i = next++;
      runs[i] = await participant(PARTICIPANTS[i]);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, slot));
  for (const [i, id] of PARTICIPANTS.entries()) {
    const { variant, jsonl } = runs[i];
    assert.equal(variant, assigned(KEY, id), `${id}'s variant follows the documented hash`);
    expected[variant].participants += 1;
    if (SLIPS.has(id)) expected[variant].slips += 1;
    const events = jsonl.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.some((e) => e.type === 'exposure' && e.variant === variant && !e.forced));
    assert.ok(events.some((e) => e.type === 'stage_entered' && e.stage === 'entry'));
    const send = events.find((e) => e.type === 'send');
    assert.equal(send.intended, 'family normal 1.88×10');
    assert.equal(send.actual, `family normal ${SLIPS.has(id) ? '18.80' : '1.88'}×10`);
    allEvents += jsonl;
  }
  // A forced participant (a demo) is marked and left out unless asked for.
  const forced = await participant('demo1', { variant: 'A', slip: true });
  assert.equal(forced.variant, 'A');
  assert.ok(forced.jsonl.includes('"forced":true'));
  allEvents += forced.jsonl;

  const page = await newPage(browser);
  await openApp(page, server.url, { storage: 'lab-results', lang: 'en' });
  await importInto(page, allEvents);
  await byTestId(page, 'lab-result-row').first().waitFor();
  const rows = await resultRows(page);
  for (const v of VARIANTS) {
    const { participants, slips } = expected[v];
    assert.deepEqual(rows[v], { participants, sent: participants, slips, rate: Number((slips / participants).toFixed(4)) }, v);
  }
  assert.equal(VARIANTS.reduce((n, v) => n + rows[v].participants, 0), 40);
  assert.equal(await byTestId(page, 'lab-ztest').count(), 3);
  assert.equal(await page.locator('[data-testid="lab-chart-slip"] .hb-lab-bar').count(), 3);
  await byTestId(page, 'lab-include-forced').check();
  await page.waitForFunction((n) => document.querySelector('[data-testid="lab-result-row"][data-variant="A"]')?.dataset.participants === String(n), expected.A.participants + 1);
  const withForced = await resultRows(page);
  assert.equal(withForced.A.slips, expected.A.slips + 1);
  await byTestId(page, 'lab-include-forced').uncheck();
  await byTestId(page, 'lab-chart-slip').scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-results');
  assertNoErrors(page);
  await page.context().close();
});

test('events export as JSON Lines and CSV, and re-import to the same results', async () => {
  assert.ok(allEvents, 'runs after the participants');
  const page = await newPage(browser);
  await openApp(page, server.url, { storage: 'lab-export' });
  await importInto(page, allEvents);
  const before = await resultRows(page);
  await byTestId(page, 'lab-export-jsonl').click();
  const out = byTestId(page, 'lab-export-text');
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-export-text"]').value.length > 0);
  const exported = await out.inputValue();
  const parse = (t) => t.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(parse(exported), parse(allEvents));
  await byTestId(page, 'lab-export-csv').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-export-text"]').value.startsWith('type,'));
  const csv = await out.inputValue();
  // (a textarea's value has \n line breaks; the downloaded file has CRLF)
  assert.equal(csv.trim().split(/\r?\n/).length, parse(allEvents).length + 1);

  const again = await newPage(browser);
  await openApp(again, server.url, { storage: 'lab-reimport' });
  await importInto(again, exported);
  assert.deepEqual(await resultRows(again), before);
  // A bad line is refused with its number and changes nothing.
  await byTestId(again, 'lab-import-text').fill('{"type":"send"}\nnot json');
  await byTestId(again, 'lab-import').click();
  await again.waitForFunction(() => !/^\D*\d+$/.test(document.querySelector('[data-testid="lab-import-status"]').textContent.trim()) );
  assert.deepEqual(await resultRows(again), before);
  for (const p of [page, again]) { assertNoErrors(p); await p.context().close(); }
});

test('the experiment editor validates and reports errors in both languages', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { lang: 'en', participant: 'editor1' });
  await byTestId(page, 'tab-lab').click();
  const editor = byTestId(page, 'lab-editor');
  await editor.fill('{"key":"k","variants":[{"name":"A","weight":1,"settings":{"stages":"4"}}]}');
  await byTestId(page, 'lab-apply').click();
  assert.match(await byTestId(page, 'lab-error').innerText(), /Variant A: setting stages="4": expected 1\|2\|3\|adaptive/);
  await byTestId(page, 'lang-switch').click();
  assert.match(await byTestId(page, 'lab-error').innerText(), /变体 A/);
  await editor.fill('{"key":"mine","variants":[{"name":"only","weight":1,"settings":{"stages":"1"}}]}');
  await byTestId(page, 'lab-apply').click();
  await byTestId(page, 'lab-error').waitFor({ state: 'detached' });
  assert.equal(await byTestId(page, 'lab-assignment').getAttribute('data-variant'), 'only');
  assertNoErrors(page);
  await page.context().close();
});

test('the lab names experiments and rules in the reader\'s language and says "no data yet"', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { lang: 'en', storage: 'lab-names' });
  await byTestId(page, 'tab-lab').click();
  const option = (testid, value) => page.locator(`[data-testid="${testid}"] option[value="${value}"]`);
  const row = byTestId(page, 'lab-result-row').first();
  await row.waitFor();
  const check = async (names) => {
    assert.equal((await option('lab-experiment-select', KEY).textContent()).trim(), names.experiment);
    assert.equal((await option('fairness-rule', 'double_mean').textContent()).trim(), names.doubleMean);
    assert.equal((await option('fairness-rule', 'line_cutting').textContent()).trim(), names.lineCutting);
    // No participant yet: the rates say so instead of "0.0% (0.0%–100.0%) 0/0".
    const text = await row.innerText();
    assert.ok(!/0\/0|100\.0%/.test(text), text);
    assert.equal(await row.getByTestId('lab-no-data').count(), 3, text);
    for (const cell of await row.getByTestId('lab-no-data').all()) assert.equal((await cell.innerText()).trim(), names.noData);
  };
  await check({ experiment: 'Prevent vs recover', doubleMean: 'Double mean', lineCutting: 'Line cutting', noData: 'no data yet' });
  // Both charts have a y axis with labelled ticks.
  assert.deepEqual(await page.locator('[data-testid="lab-chart-slip"] .hb-lab-ytick').allTextContents(), ['0%', '50%', '100%']);
  await byTestId(page, 'lang-switch').click();
  await check({ experiment: '预防还是补救', doubleMean: '二倍均值法', lineCutting: '线段切割法', noData: '暂无数据' });
  await screenshot(page, 'lab-empty-zh');
  assertNoErrors(page);
  await page.context().close();
});

test('the fairness view agrees with the double-mean figures (T=100, n=10, 200k packets)', { timeout: 120_000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 420, height: 1400 } });
  await openApp(page, server.url, { lang: 'en' });
  await byTestId(page, 'tab-lab').click();
  await byTestId(page, 'fairness-rule').selectOption('double_mean');
  await byTestId(page, 'fairness-total').fill('100');
  await byTestId(page, 'fairness-count').fill('10');
  await byTestId(page, 'fairness-packets').fill('200000');
  await byTestId(page, 'fairness-run').click();
  await byTestId(page, 'fairness-done').waitFor({ timeout: 90_000 });
  assert.equal(await byTestId(page, 'fairness-progress').getAttribute('value'), '200000');
  const rows = await byTestId(page, 'fairness-row').all();
  assert.equal(rows.length, 10);
  let best = 0;
  for (const row of rows) {
    const pos = Number(await row.getAttribute('data-position'));
    const mean = Number(await row.getAttribute('data-mean'));
    const std = Number(await row.getAttribute('data-std'));
    best += Number(await row.getAttribute('data-best'));
    assert.ok(Math.abs(mean - 10) / 10 < 0.01, `position ${pos}: mean ${mean}`);
    if (pos === 1) assert.ok(Math.abs(std - 5.77) / 5.77 < 0.03, `position 1: std ${std}`);
    if (pos >= 9) assert.ok(Math.abs(std - 7.68) / 7.68 < 0.03, `position ${pos}: std ${std}`);
  }
  assert.ok(Math.abs(best - 1) < 1e-3);
  assert.equal(await page.locator('[data-testid="fairness-chart"] .hb-lab-analytic').count(), 10);
  // The y axis is in yuan, from 0 to the top of the tallest whisker (mean + std, about ¥18).
  const ticks = await page.locator('[data-testid="fairness-chart"] .hb-lab-ytick').allTextContents();
  assert.equal(ticks.length, 3);
  assert.equal(ticks[0], '¥0.00');
  assert.ok(/^¥1[5-9]\.\d\d$/.test(ticks[2]), ticks.join(' '));
  assert.match(await page.locator('[data-testid="fairness-chart"]').textContent(), /Position/);
  // Invalid input is refused with a message.
  await byTestId(page, 'fairness-packets').fill('2000000');
  await byTestId(page, 'fairness-run').click();
  assert.match(await byTestId(page, 'fairness-error').innerText(), /1,000,000/);
  await byTestId(page, 'fairness-chart').scrollIntoViewIfNeeded();
  await screenshot(page, 'lab-fairness');
  assertNoErrors(page);
  await page.context().close();
});
