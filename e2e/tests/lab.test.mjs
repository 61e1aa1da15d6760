// The lab (PRODUCT §6): scripted participants under their assigned variants, results with
// exactly the scripted slips, export/import round trip, and the fairness view's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveStatic, launch, newPage, screenshot, assertNoErrors, byTestId, waitForApp, ARTIFACTS } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket } from '../lib/flows.mjs';

/** jsQR (npm): reads a QR code from pixels, to check the lab's codes say what they should. */
const JSQR = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js');

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
  // Three variants, three tests: each p-value also Holm-adjusted, as recomputed here.
  const ztests = await byTestId(page, 'lab-ztest').evaluateAll((els) => els.map((e) => ({ p: e.dataset.p, holm: e.dataset.pHolm, text: e.textContent })));
  const defined = ztests.filter((z) => z.p !== undefined);
  assert.ok(defined.length >= 2, JSON.stringify(ztests));
  const ps = defined.map((z) => Number(z.p));
  const holm = [];
  let running = 0;
  ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b]).forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * ps[i]));
    holm[i] = running;
  });
  defined.forEach((z, i) => {
    assert.ok(Math.abs(Number(z.holm) - holm[i]) < 1e-5, `${z.text}: Holm ${holm[i]}`);
    assert.match(z.text, /Holm-adjusted p = \d\.\d{4}$/);
  });
  // The time to send: median with quartiles.
  for (const row of await byTestId(page, 'lab-result-row').all()) {
    assert.match(await row.locator('td').nth(2).innerText(), /^\d+\.\d s \(\d+\.\d–\d+\.\d\)$/);
  }
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

test('JSON Lines files from several browsers import at once into one set of results, each event once', async () => {
  assert.ok(allEvents, 'runs after the participants');
  // One file per participant's browser, as a pilot on the mock backend gives them.
  const byParticipant = new Map();
  for (const line of allEvents.trim().split('\n')) {
    const id = JSON.parse(line).participant;
    byParticipant.set(id, (byParticipant.get(id) ?? '') + line + '\n');
  }
  const files = [...byParticipant].map(([id, text]) => ({ name: `${id}.jsonl`, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) }));
  const reference = await newPage(browser);
  await openApp(reference, server.url, { storage: 'lab-files-ref' });
  await importInto(reference, allEvents);
  const expectedRows = await resultRows(reference);
  await reference.context().close();

  const page = await newPage(browser);
  await openApp(page, server.url, { storage: 'lab-files', lang: 'en' });
  await byTestId(page, 'tab-lab').click();
  const status = byTestId(page, 'lab-import-status');
  const lines = allEvents.trim().split('\n').length;
  await byTestId(page, 'lab-import-files').setInputFiles(files);
  await page.waitForFunction(() => /Events imported/.test(document.querySelector('[data-testid="lab-import-status"]').textContent));
  assert.equal(await status.innerText(), `Events imported: ${lines} (from ${files.length} files; 0 already here, not imported twice)`);
  await byTestId(page, 'lab-result-row').first().waitFor();
  assert.deepEqual(await resultRows(page), expectedRows);
  // The same files again (and one of them twice): nothing is counted twice.
  await byTestId(page, 'lab-import-files').setInputFiles([...files, files[0]]);
  await page.waitForFunction((n) => document.querySelector('[data-testid="lab-import-status"]').textContent.includes(`from ${n} files`), files.length + 1);
  assert.match(await status.innerText(), /^Events imported: 0 /);
  assert.deepEqual(await resultRows(page), expectedRows);
  // A file that does not read is named, and nothing of any file is stored.
  const extra = { name: 'late.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(allEvents.replace(/"participant":"p1"/g, '"participant":"late1"')) };
  await byTestId(page, 'lab-import-files').setInputFiles([extra, { name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"type":"send"}\nnot json\n') }]);
  await page.waitForFunction(() => /broken\.jsonl/.test(document.querySelector('[data-testid="lab-import-status"]').textContent));
  assert.match(await status.innerText(), /^Cannot import file broken\.jsonl: Cannot read line 1: /);
  assert.deepEqual(await resultRows(page), expectedRows);
  assertNoErrors(page);
  await page.context().close();
});

test('the sample-size calculator gives participants per variant and refuses what is not a rate', async () => {
  const page = await newPage(browser);
  await openApp(page, server.url, { storage: 'lab-sample-size', lang: 'en' });
  await byTestId(page, 'tab-lab').click();
  const result = byTestId(page, 'lab-ss-result');
  // Defaults 30% → 15% at 80% power and 5%: 121 (Fleiss, as Python's NormalDist computes it).
  await result.waitFor();
  assert.equal(await result.getAttribute('data-n'), '121');
  assert.equal(await result.innerText(), '121 participants who send, per variant');
  const set = async (values) => {
    for (const [testid, v] of Object.entries(values)) await byTestId(page, testid).fill(v);
  };
  await set({ 'lab-ss-p1': '50', 'lab-ss-p2': '40', 'lab-ss-power': '90' });
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-ss-result"]').dataset.n === '519');
  await set({ 'lab-ss-p2': '50' });
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-ss-result"]').dataset.n === undefined);
  assert.match(await result.innerText(), /the two slip rates must differ/);
  await set({ 'lab-ss-p2': 'abc' });
  assert.equal(await result.getAttribute('data-n'), null);
  await set({ 'lab-ss-p1': '10', 'lab-ss-p2': '5', 'lab-ss-power': '80', 'lab-ss-alpha': '5' });
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-ss-result"]').dataset.n === '435');
  await byTestId(page, 'lang-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-ss-result"]').textContent === '每个变体需要 435 名发送了红包的参与者');
  await byTestId(page, 'lab-sample-size').screenshot({ path: `${ARTIFACTS}/lab-sample-size-zh.png` });
  assertNoErrors(page);
  await page.context().close();
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

test('every study has its links (assigned and one per forced variant), copied and shown as QR codes that read back', async () => {
  const page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  await openApp(page, server.url, { lang: 'en', storage: 'lab-links' });
  await byTestId(page, 'tab-lab').click();
  const base = `${server.url}/?study=send-basics`;
  // Rows by study and forced variant ('' for the assigned link); controls within them.
  const row = (variant, study = 'send-basics') => page.locator(`[data-testid="lab-link"][data-study="${study}"][data-variant="${variant}"]`);
  const links = { '': base, 'three-stages': `${base}&variant=three-stages`, 'one-stage': `${base}&variant=one-stage` };
  for (const [variant, link] of Object.entries(links)) {
    const anchor = row(variant).getByTestId('lab-link-url');
    assert.equal((await anchor.textContent()).trim(), link, variant);
    assert.equal(await anchor.getAttribute('href'), link, variant);
  }
  assert.equal(await page.locator('[data-testid="lab-links"] .hb-lab-link').count(), 3);

  // Copy: the clipboard holds the link and the button says so.
  const forced = 'one-stage';
  await row(forced).getByTestId('lab-link-copy').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-link"][data-variant="one-stage"] [data-testid="lab-link-copy"]').textContent.trim() === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), links[forced]);

  // The QR code, drawn on a canvas and read by jsQR, is the link; one code shows at a time.
  await page.addScriptTag({ path: JSQR });
  const read = () => page.evaluate(async () => {
    const svg = document.querySelector('[data-testid="lab-qr-svg"]').cloneNode(true);
    const size = 480;
    svg.setAttribute('width', size);
    svg.setAttribute('height', size);
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }));
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, size, size);
    return window.jsQR(ctx.getImageData(0, 0, size, size).data, size, size)?.data ?? null;
  });
  await row(forced).getByTestId('lab-link-qr').click();
  await byTestId(page, 'lab-qr-svg').waitFor();
  assert.equal(await read(), links[forced]);
  await row('').getByTestId('lab-link-qr').click();
  assert.equal(await byTestId(page, 'lab-qr-svg').count(), 1);
  assert.equal(await read(), base);
  assert.equal(await row('').getByTestId('lab-link-qr').getAttribute('aria-pressed'), 'true');
  assert.equal(await row(forced).getByTestId('lab-link-qr').getAttribute('aria-pressed'), 'false');
  await byTestId(page, 'lab-links').screenshot({ path: `${ARTIFACTS}/lab-links-en.png` });
  await byTestId(page, 'lang-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-links"] h2').textContent === '研究链接');
  await byTestId(page, 'lab-links').screenshot({ path: `${ARTIFACTS}/lab-links-zh.png` });
  assertNoErrors(page);

  // The forced link opens the study as a participant under that variant, marked forced.
  const participant = await newPage(browser);
  await participant.goto(links[forced]);
  await byTestId(participant, 'study-accept').click();
  const card = byTestId(participant, 'study-task');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-variant'), 'one-stage');
  assert.equal(await card.getAttribute('data-forced'), 'true');
  assertNoErrors(participant);
  await participant.context().close();
  await page.context().close();
});

test('the study editor duplicates, edits, closes and deletes a study; its link follows at once, with no rebuild', async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await openApp(page, server.url, { lang: 'en', storage: 'lab-studies' });
  await byTestId(page, 'tab-lab').click();
  const select = byTestId(page, 'lab-study-select');
  const editor = byTestId(page, 'lab-study-editor');
  const status = byTestId(page, 'lab-study-status');
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-editor"]')?.value.includes('"key"'));
  assert.equal(await select.inputValue(), 'send-basics');
  assert.equal(JSON.parse(await editor.inputValue()).key, 'send-basics');
  // A shipped study is in the app: it cannot be deleted.
  assert.equal(await byTestId(page, 'lab-study-delete').count(), 0);
  const stored = () => page.evaluate(() => localStorage.getItem('hongbao:studies'));
  assert.equal(await stored(), null);

  // Duplicated: a stored copy under a free key, selected, listed with its links.
  await byTestId(page, 'lab-study-duplicate').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-select"]').value === 'send-basics-copy');
  const copy = JSON.parse(await editor.inputValue());
  assert.deepEqual([copy.key, copy.title.en], ['send-basics-copy', 'Sending red packets (copy)']);
  const studyLinks = (key) => page.locator(`[data-testid="lab-link"][data-study="${key}"]`);
  await studyLinks('send-basics-copy').first().waitFor();
  assert.equal(await studyLinks('send-basics-copy').count(), 3);
  assert.deepEqual(JSON.parse(await stored()).map((s) => s.key), ['send-basics-copy']);

  // Edited: everyone gets the one-stage variant, with a new consent text.
  copy.variants = copy.variants.map((v) => ({ ...v, weight: v.name === 'one-stage' ? 1 : 0 }));
  copy.consent.en = 'A pilot of the one-stage flow.';
  await editor.fill(JSON.stringify(copy, null, 2));
  await byTestId(page, 'lab-study-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-status"]')?.textContent === 'Saved: send-basics-copy');
  assert.equal(JSON.parse(await stored())[0].consent.en, 'A pilot of the one-stage flow.');
  // A study that does not validate is refused with the reason, and nothing changes.
  const before = await stored();
  await editor.fill(JSON.stringify({ ...copy, variants: [{ name: 'x', weight: 1, settings: { stages: '7' } }] }));
  await byTestId(page, 'lab-study-save').click();
  assert.match(await byTestId(page, 'lab-study-error').innerText(), /Variant x: setting stages="7"/);
  await editor.fill('{"key": "half');
  await byTestId(page, 'lab-study-save').click();
  await page.waitForFunction(() => /Not valid study JSON/.test(document.querySelector('[data-testid="lab-study-error"]').textContent));
  assert.equal(await stored(), before);

  // The link, opened in this browser, runs the study as last saved.
  const link = (await studyLinks('send-basics-copy').and(page.locator('[data-variant=""]')).getByTestId('lab-link-url').textContent()).trim();
  assert.equal(link, `${server.url}/?study=send-basics-copy`);
  const participant = async (id) => {
    const p = await page.context().newPage();
    p.errors = [];
    p.on('pageerror', (err) => p.errors.push(`pageerror: ${err.message}`));
    await p.goto(`${link}&participant=${id}&lang=en`);
    return p;
  };
  const p1 = await participant('pilot-1');
  const consent = byTestId(p1, 'study-consent-text');
  await consent.waitFor();
  assert.equal(await consent.innerText(), 'A pilot of the one-stage flow.');
  await byTestId(p1, 'study-accept').click();
  const card = byTestId(p1, 'study-task');
  await card.waitFor();
  assert.deepEqual([await card.getAttribute('data-variant'), await card.getAttribute('data-forced')], ['one-stage', 'false']);
  assertNoErrors(p1);
  await p1.close();

  // Closed: the link takes no one, and says so; reopened, it takes people again.
  await byTestId(page, 'lab-study-close').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study"][data-study="send-basics-copy"]')?.dataset.closed === 'true');
  assert.equal(await byTestId(page, 'lab-study-close').getAttribute('aria-pressed'), 'true');
  assert.equal(JSON.parse(await stored())[0].closed, true);
  await page.screenshot({ path: `${ARTIFACTS}/lab-studies-desktop-en.png`, fullPage: true });
  const p2 = await participant('pilot-2');
  const error = byTestId(p2, 'study-error');
  await error.waitFor();
  assert.match(await error.innerText(), /The study send-basics-copy is closed/);
  assert.equal(await byTestId(p2, 'tab-chats').count(), 0);
  await p2.close();
  await byTestId(page, 'lab-study-close').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study"][data-study="send-basics-copy"]')?.dataset.closed === 'false');
  const p3 = await participant('pilot-3');
  await byTestId(p3, 'study-consent-text').waitFor();
  await p3.close();

  // Deleted: gone from the list, the links and the browser; the shipped study stays.
  await byTestId(page, 'lab-study-delete').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-status"]')?.textContent === 'Deleted: send-basics-copy');
  assert.equal(await studyLinks('send-basics-copy').count(), 0);
  assert.equal(await select.inputValue(), 'send-basics');
  assert.equal(await stored(), '[]');
  assert.deepEqual(await page.locator('[data-testid="lab-study-select"] option').evaluateAll((os) => os.map((o) => o.value)), ['send-basics']);
  await byTestId(page, 'lang-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-studies"] h2').textContent === '研究');
  await byTestId(page, 'lab-studies').screenshot({ path: `${ARTIFACTS}/lab-studies-zh.png` });
  assertNoErrors(page);
  await page.context().close();
});

test('the results follow a study live: participants in other tabs of this browser show up without a reload', async () => {
  // The mock keeps a browser's events in its storage; the link has no storage key of its
  // own, so the researcher's lab reads the same one.
  const page = await newPage(browser);
  await page.goto(`${server.url}/?lang=en&latency=0&bots=off`);
  await waitForApp(page);
  await byTestId(page, 'tab-lab').click();
  const select = byTestId(page, 'lab-results-for');
  assert.equal(await select.inputValue(), KEY);
  await select.selectOption('send-basics');
  const total = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="lab-result-row"]')].reduce((n, r) => n + Number(r.dataset.participants), 0));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="lab-result-row"]')].map((r) => r.dataset.variant).join() === 'three-stages,one-stage');
  assert.equal(await total(), 0);
  for (const [i, id] of ['live-1', 'live-2'].entries()) {
    const tab = await page.context().newPage();
    await tab.goto(`${server.url}/?study=send-basics&participant=${id}&lang=en`);
    await byTestId(tab, 'study-accept').click();
    await byTestId(tab, 'study-task').waitFor();
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="lab-result-row"]')].reduce((s, r) => s + Number(r.dataset.participants), 0) === n, i + 1);
    await tab.close();
  }
  assert.equal(await total(), 2);
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

test('the study form and the JSON edit the same study, both ways; a save validates what the form made', async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await openApp(page, server.url, { lang: 'en', storage: 'lab-form' });
  await page.evaluate(() => localStorage.removeItem('hongbao:studies'));
  await byTestId(page, 'tab-lab').click();
  const editor = byTestId(page, 'lab-study-editor');
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-editor"]')?.value.includes('"key"'));
  const json = async () => JSON.parse(await editor.inputValue());
  await byTestId(page, 'lab-study-duplicate').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-select"]').value === 'send-basics-copy');
  const form = byTestId(page, 'lab-study-form');
  assert.equal(await form.getByTestId('lab-form-key').inputValue(), 'send-basics-copy');
  assert.equal(await form.getByTestId('lab-form-variant').count(), 2);
  assert.equal(await form.getByTestId('lab-form-task').count(), 2);

  // The form writes the JSON: a title, a weight, a variant's settings, a new task.
  await form.getByTestId('lab-form-title-en').fill('Form pilot');
  const first = form.getByTestId('lab-form-variant').nth(0);
  await first.getByTestId('lab-form-variant-weight').fill('3');
  await first.getByTestId('lab-form-variant-weight').blur();
  await first.getByTestId('lab-form-variant-settings').fill('stages=2\nrecall=none');
  await first.getByTestId('lab-form-variant-settings').blur();
  await form.getByTestId('lab-form-add-task').click();
  const task = form.getByTestId('lab-form-task').nth(2);
  await task.getByTestId('lab-form-task-id').fill('carol-1');
  await task.getByTestId('lab-form-task-zh').fill('给 Carol 发 ¥1.00');
  await task.getByTestId('lab-form-task-en').fill('Send Carol ¥1.00');
  await task.getByTestId('lab-form-task-kind').selectOption('normal');
  // The kinds are named as the app names them, in the page's language; the study keeps the key.
  const kindNames = () => task.getByTestId('lab-form-task-kind').locator('option').evaluateAll((os) => os.map((o) => `${o.value}=${o.textContent}`));
  assert.deepEqual(await kindNames(), ['lucky=Lucky packet', 'normal=Normal packet', 'personal=Red packet', 'exclusive=Exclusive packet']);
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="zh-CN"]').waitFor();
  assert.deepEqual(await kindNames(), ['lucky=拼手气红包', 'normal=普通红包', 'personal=红包', 'exclusive=专属红包']);
  await byTestId(page, 'lang-switch').click();
  await page.locator('.hb-app[lang="en"]').waitFor();
  await task.getByTestId('lab-form-task-amount').fill('1.00');
  await task.getByTestId('lab-form-task-count').fill('2');
  await task.getByTestId('lab-form-task-count').blur();
  let study = await json();
  assert.equal(study.title.en, 'Form pilot');
  assert.deepEqual([study.variants[0].weight, study.variants[0].settings], [3, { recall: 'none', stages: '2' }]);
  assert.deepEqual(study.tasks[2], { id: 'carol-1', instruction: { zh: '给 Carol 发 ¥1.00', en: 'Send Carol ¥1.00' },
    intended: { chat: 'alice-bob', kind: 'normal', amount: '1.00', count: 2 } });
  // A variant removed in the form is gone from the JSON; a whole-number field keeps its value on nonsense.
  await form.getByTestId('lab-form-variant').nth(1).getByTestId('lab-form-remove-variant').click();
  await first.getByTestId('lab-form-variant-weight').fill('lots');
  await first.getByTestId('lab-form-variant-weight').blur();
  study = await json();
  assert.deepEqual(study.variants.map((v) => [v.name, v.weight]), [['three-stages', 3]]);
  assert.equal(await first.getByTestId('lab-form-variant-weight').inputValue(), '3');

  // The JSON writes the form.
  await editor.fill(JSON.stringify({ ...study, consent: { ...study.consent, en: 'Consent typed as JSON.' } }, null, 2));
  assert.equal(await form.getByTestId('lab-form-consent-en').inputValue(), 'Consent typed as JSON.');
  // Saved: what the form and the JSON made, validated.
  await byTestId(page, 'lab-study-save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lab-study-status"]')?.textContent === 'Saved: send-basics-copy');
  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('hongbao:studies')))[0];
  assert.deepEqual([stored.title.en, stored.consent.en, stored.tasks.length], ['Form pilot', 'Consent typed as JSON.', 3]);
  // A bad setting made in the form is refused on save, with its reason; nothing changes.
  await first.getByTestId('lab-form-variant-settings').fill('stages=9');
  await first.getByTestId('lab-form-variant-settings').blur();
  await byTestId(page, 'lab-study-save').click();
  assert.match(await byTestId(page, 'lab-study-error').innerText(), /setting stages="9"/);
  assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('hongbao:studies')))[0].variants[0].settings.stages, '2');
  await byTestId(page, 'lab-studies').screenshot({ path: `${ARTIFACTS}/lab-study-form-en.png` });
  // JSON that is not a study's shape: the form says so and waits.
  await editor.fill('{"key": ');
  await form.getByTestId('lab-form-unreadable').waitFor();
  assertNoErrors(page);
  await page.context().close();
});
