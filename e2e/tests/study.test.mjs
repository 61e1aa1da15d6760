// Participant mode (issue 14): a study link opens the app as a participant: consent first,
// then the study's tasks with a task card, then a completion code. No researcher tools; the
// participant id persists; every event carries the study, variant, participant, task and
// time, and each task's intended and actual outcome. On the mock (static dist) and on the
// real server (hongbao-server, where only a researcher reads everyone's events).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launch, newPage, waitForApp, screenshot, assertNoErrors, byTestId, settled } from '../lib/harness.mjs';
import { openApp, openChat, sendPacket } from '../lib/flows.mjs';
import { startServer, api, token } from '../lib/server.mjs';

const STUDY = 'send-basics';
const VARIANTS = ['three-stages', 'one-stage'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let server, browser;
before(async () => { server = await serveStatic(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

function fnv1a64(text) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** The documented assignment rule (lab/README.md), for two variants of weight 1. */
function assigned(key, participant) {
  const bucket = Number(fnv1a64(`${key}:${participant}`) % 10000n);
  return VARIANTS[VARIANTS.findIndex((_, i) => bucket * 2 < (i + 1) * 10000)];
}

/** The documented completion code (src/study/code.rs), reimplemented. */
function completionCode(study, participant) {
  const A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const CHECK = `${A}*~$=U`;
  const h = fnv1a64(`done:${study}:${participant}`) >> 24n;
  const body = Array.from({ length: 8 }, (_, i) => A[Number((h >> BigInt(35 - 5 * i)) & 31n)]);
  const sum = body.reduce((s, c, i) => s + (i + 1) * A.indexOf(c), 0);
  return `${body.slice(0, 4).join('')}-${body.slice(4).join('')}-${CHECK[sum % 37]}`;
}

/** The lab events the mock stored for `storage` (JSON Lines in localStorage). */
async function storedEvents(page, storage) {
  const text = await page.evaluate((k) => localStorage.getItem(k) ?? '', `hongbao:lab:${storage}`);
  return text.trim() ? text.trim().split('\n').map((l) => JSON.parse(l)) : [];
}

/** Waits until the mock has stored an event of `type` (events are written asynchronously). */
async function awaitEvent(page, storage, type, count = 1) {
  await page.waitForFunction(([k, t, n]) => (localStorage.getItem(k) ?? '').split(`"type":"${t}"`).length > n,
    [`hongbao:lab:${storage}`, type, count]);
}

/** No researcher's tool in the page: no Lab or Settings tab, no identity switcher. */
async function assertParticipantOnly(page, { identity = false } = {}) {
  assert.equal(await byTestId(page, 'tab-lab').count(), 0, 'no Lab tab');
  assert.equal(await byTestId(page, 'settings').count(), 0, 'no Settings tab');
  assert.equal(await byTestId(page, 'lab-screen').count(), 0);
  assert.equal(await byTestId(page, 'identity-switch').count(), identity ? 1 : 0, 'identity switcher');
}

async function accept(page) {
  await byTestId(page, 'study-accept').click();
  await byTestId(page, 'study-consent').waitFor({ state: 'detached' });
  await byTestId(page, 'study-task').waitFor();
}

test('a participant consents, does the tasks and gets the completion code; events carry the study', async () => {
  const participant = 'e2e-p1';
  const storage = `study-${Date.now()}`;
  const variant = assigned(STUDY, participant);
  const page = await newPage(browser, { viewport: PHONE });
  // Every file the participant's page fetches: the researcher's lab (its module and its
  // stylesheet) must not be among them.
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await openApp(page, server.url, { study: STUDY, participant, storage });
  // Consent first, its text from the study's data; nothing recorded before the answer.
  const consent = byTestId(page, 'study-consent');
  await consent.waitFor();
  assert.match(await byTestId(page, 'study-consent-text').innerText(), /感谢您参加这项关于发红包的研究/);
  await assertParticipantOnly(page);
  await screenshot(page, 'study-consent-phone-zh');
  // The sheet covers the header: it has its own language switch.
  await byTestId(page, 'study-lang').click();
  await page.waitForFunction(() => /Thank you for taking part/.test(document.querySelector('[data-testid="study-consent-text"]')?.textContent));
  assert.equal(await byTestId(page, 'study-accept').innerText(), 'I agree, start');
  await screenshot(page, 'study-consent-phone-en');
  await settled(page);
  assert.deepEqual(await storedEvents(page, storage), [], 'nothing recorded before consent');
  await accept(page);

  // Task 1, as asked.
  const card = byTestId(page, 'study-task');
  assert.equal(await card.getAttribute('data-task'), 'family-188');
  assert.equal(await card.getAttribute('data-variant'), variant, 'the documented assignment');
  assert.equal(await card.getAttribute('data-participant'), participant);
  assert.equal(await card.getAttribute('data-forced'), 'false');
  assert.match(await byTestId(page, 'study-progress').innerText(), /Task 1 of 2/);
  assert.match(await byTestId(page, 'study-instruction').innerText(), /10 shares of ¥1\.88/);
  assert.equal(await byTestId(page, 'study-next').count(), 0, 'Done only once something was sent');
  await openChat(page, 'family');
  await sendPacket(page, { kind: 'normal', amount: '1.88', count: 10 });
  // The PIN comes from the study's reminder, not the demo's hint.
  assert.equal((await page.locator('.hb-pin-hint').allInnerTexts()).join('').trim(), '');
  await screenshot(page, 'study-task-phone-en');
  await byTestId(page, 'study-next').click();

  // Task 2, with a slip (52.00 for 5.20); the card stays over every screen.
  await page.waitForFunction(() => document.querySelector('[data-testid="study-task"]')?.dataset.task === 'bob-520');
  assert.match(await byTestId(page, 'study-progress').innerText(), /Task 2 of 2/);
  await byTestId(page, 'lang-switch').click();
  await byTestId(page, 'tab-wallet').click();
  await byTestId(page, 'wallet-balance').waitFor();
  assert.match(await byTestId(page, 'study-instruction').innerText(), /¥5\.20/);
  await openChat(page, 'alice-bob');
  await sendPacket(page, { kind: 'personal', amount: '52.00' });
  await screenshot(page, 'study-task-phone-zh');
  await byTestId(page, 'study-next').click();

  const done = byTestId(page, 'study-done');
  await done.waitFor();
  const code = await byTestId(page, 'study-code').innerText();
  assert.equal(code.trim(), completionCode(STUDY, participant), 'the documented completion code');
  await screenshot(page, 'study-done-phone-zh');
  await assertParticipantOnly(page);

  await awaitEvent(page, storage, 'complete');
  const events = await storedEvents(page, storage);
  for (const e of events) {
    assert.equal(e.study, STUDY, JSON.stringify(e));
    assert.equal(e.experiment, STUDY);
    assert.equal(e.variant, variant);
    assert.equal(e.participant, participant);
    assert.equal(e.forced, false);
    assert.ok(['family-188', 'bob-520'].includes(e.task), JSON.stringify(e));
    assert.ok(Number.isFinite(Date.parse(e.at)), e.at);
  }
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 2), ['exposure', 'consent']);
  assert.equal(types.at(-1), 'complete');
  const tasks = events.filter((e) => e.type === 'task_done');
  assert.deepEqual(tasks.map((e) => [e.task, e.intended, e.actual, e.slip]), [
    ['family-188', 'family normal 1.88×10', 'family normal 1.88×10', false],
    ['bob-520', 'alice-bob personal 5.20×1', 'alice-bob personal 52.00×1', true],
  ]);
  assert.ok(tasks.every((e) => Number.isInteger(e.ms) && Number.isInteger(e.packet)));
  const sends = events.filter((e) => e.type === 'send');
  assert.deepEqual(sends.map((e) => [e.task, e.slip]), [['family-188', false], ['bob-520', true]]);

  // A reload keeps the end: the same code, nothing recorded again.
  await page.reload();
  await byTestId(page, 'study-done').waitFor();
  assert.equal((await byTestId(page, 'study-code').innerText()).trim(), code.trim());
  await settled(page);
  assert.equal((await storedEvents(page, storage)).length, events.length);
  // The participant's page loaded the study's modules, and never the lab's.
  assert.ok(fetched.includes('/split_study_view.wasm'), fetched.join(' '));
  assert.deepEqual(fetched.filter((p) => /lab_screen|activate_lab|sheet_lab/.test(p)), [], fetched.join(' '));
  assertNoErrors(page);
  await page.context().close();
});

test('without an id the participant gets one, kept across a reload, with the task in progress', async () => {
  const storage = `study-${Date.now()}`;
  const page = await newPage(browser, { viewport: DESKTOP });
  await openApp(page, server.url, { study: STUDY, storage, lang: 'en', variant: 'one-stage' });
  await byTestId(page, 'study-consent').waitFor();
  await assertParticipantOnly(page);
  await screenshot(page, 'study-consent-desktop-en');
  await accept(page);
  const card = byTestId(page, 'study-task');
  const participant = await card.getAttribute('data-participant');
  assert.match(participant, /^p-[0-9a-f]{12}$/);
  assert.equal(await page.evaluate(() => localStorage.getItem('hongbao:lab:participant')), participant);
  // `?variant=` forces the variant, marked as forced.
  assert.equal(await card.getAttribute('data-variant'), 'one-stage');
  assert.equal(await card.getAttribute('data-forced'), 'true');
  await openChat(page, 'family');
  await sendPacket(page, { kind: 'normal', amount: '1.88', count: 10 });
  await byTestId(page, 'study-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="study-task"]')?.dataset.task === 'bob-520');
  await screenshot(page, 'study-task-desktop-en');

  // The Lab and Settings routes are not a participant's: the chat list instead.
  await page.goto(`${page.url().split('#')[0]}#/lab`);
  await page.reload();
  await waitForApp(page);
  await byTestId(page, 'study-task').waitFor();
  assert.equal(await byTestId(page, 'study-task').getAttribute('data-participant'), participant, 'the same participant');
  assert.equal(await byTestId(page, 'study-task').getAttribute('data-task'), 'bob-520', 'the task in progress');
  assert.equal(await byTestId(page, 'study-consent').count(), 0, 'no second consent');
  await byTestId(page, 'chat-family').waitFor();
  assert.equal(await byTestId(page, 'lab-screen').count(), 0);
  assert.ok(page.url().endsWith('#/'), page.url());
  // Skipping a task records it with nothing sent; the last one ends the study.
  await byTestId(page, 'study-skip').click();
  await byTestId(page, 'study-done').waitFor();
  assert.equal((await byTestId(page, 'study-code').innerText()).trim(), completionCode(STUDY, participant));
  await screenshot(page, 'study-done-desktop-en');
  await awaitEvent(page, storage, 'complete');
  const events = await storedEvents(page, storage);
  assert.ok(events.every((e) => e.forced === true && e.participant === participant && e.variant === 'one-stage'));
  const skipped = events.filter((e) => e.type === 'task_done').at(-1);
  assert.equal(skipped.task, 'bob-520');
  assert.equal(skipped.stage, 'skipped');
  assert.equal(skipped.actual, undefined);
  assert.equal(skipped.slip, undefined);
  assertNoErrors(page);
  await page.context().close();
});

test('declining records nothing; a study from the browser\'s storage runs without a rebuild; a bad one is refused', async () => {
  const storage = `study-${Date.now()}`;
  const page = await newPage(browser, { viewport: PHONE });
  await openApp(page, server.url, { study: STUDY, participant: 'e2e-decline', storage, lang: 'en' });
  await byTestId(page, 'study-decline').click();
  await byTestId(page, 'study-declined').waitFor();
  await settled(page);
  assert.deepEqual(await storedEvents(page, storage), []);

  // A researcher's own study, kept by this browser (the mock backend's studies).
  const mine = {
    key: 'my-pilot', title: { zh: '试点', en: 'Pilot' },
    consent: { zh: '试点研究的说明。', en: 'About this pilot study.' },
    identity: true,
    settings: { user: 'bob', stages: '1' },
    variants: [{ name: 'only', weight: 1, settings: {} }],
    tasks: [{ id: 'carol-1', instruction: { zh: '给 carol 发 ¥1.00', en: 'Send carol ¥1.00' },
      intended: { chat: 'bob-carol', kind: 'personal', amount: '1.00', count: 1 } }],
  };
  await page.evaluate((s) => localStorage.setItem('hongbao:studies', JSON.stringify([s])), mine);
  await openApp(page, server.url, { study: 'my-pilot', participant: 'e2e-pilot', storage, lang: 'en' });
  await byTestId(page, 'study-consent').waitFor();
  assert.equal(await byTestId(page, 'study-consent-text').innerText(), 'About this pilot study.');
  await assertParticipantOnly(page, { identity: true });
  await accept(page);
  assert.equal(await byTestId(page, 'study-task').getAttribute('data-task'), 'carol-1');
  await openChat(page, 'bob-carol');
  await sendPacket(page, { kind: 'personal', amount: '1.00' });
  await byTestId(page, 'study-next').click();
  await byTestId(page, 'study-done').waitFor();
  await awaitEvent(page, storage, 'complete');
  const done = (await storedEvents(page, storage)).find((e) => e.type === 'task_done');
  assert.deepEqual([done.study, done.intended, done.actual, done.slip], ['my-pilot', 'bob-carol personal 1.00×1', 'bob-carol personal 1.00×1', false]);

  // A stored study that does not validate, and a key nobody knows: the reason, no app.
  mine.variants[0].settings = { stages: '7' };
  await page.evaluate((s) => localStorage.setItem('hongbao:studies', JSON.stringify([s])), mine);
  for (const [key, reason] of [['my-pilot', /stages="7"/], ['nobody', /No study named nobody/]]) {
    await page.goto(`${server.url}/?study=${key}&lang=en`);
    const error = byTestId(page, 'study-error');
    await error.waitFor();
    assert.match(await error.innerText(), reason);
    assert.equal(await byTestId(page, 'tab-chats').count(), 0);
  }
  await screenshot(page, 'study-error-phone-en');
  assertNoErrors(page);
  await page.context().close();
});

// ------------------------------------------------------------------ the real backend

const RESEARCHER = { username: 'rita', password: 'e2e research password' };

test('on the real server: the study runs, events are stored as the participant\'s, and only a researcher exports them', async () => {
  const real = await startServer({ researcher: RESEARCHER });
  try {
    const participant = 'e2e-http-1';
    const page = await newPage(browser, { viewport: PHONE });
    await page.goto(`${real.url}/?study=${STUDY}&participant=${participant}&lang=en`);
    await waitForApp(page);
    await byTestId(page, 'study-consent').waitFor();
    await assertParticipantOnly(page);
    await accept(page);
    await openChat(page, 'family');
    await sendPacket(page, { kind: 'normal', amount: '1.88', count: 10 });
    await byTestId(page, 'study-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="study-task"]')?.dataset.task === 'bob-520');
    await byTestId(page, 'study-skip').click();
    await byTestId(page, 'study-done').waitFor();
    assert.equal((await byTestId(page, 'study-code').innerText()).trim(), completionCode(STUDY, participant));
    await screenshot(page, 'study-done-http-phone-en');

    // Only the researcher reads everyone's events. The page acted as alice, but posted its events
    // with the token it got for the study: no user, the participant and variant the server's.
    const rita = await token(real.url, RESEARCHER.username, RESEARCHER.password);
    let events = [];
    for (let turn = 0; !events.some((e) => e.type === 'complete'); turn++) {
      assert.ok(turn < 200, 'the complete event arrives');
      const res = await api(real.url, 'GET', '/lab/events?all=true', { token: rita });
      assert.equal(res.status, 200);
      events = res.body;
      // The page posts its events in the background: ask again until the last is there.
      if (!events.some((e) => e.type === 'complete')) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(events.length >= 5);
    for (const e of events) {
      assert.deepEqual([e.study, e.experiment, e.participant, e.username], [STUDY, STUDY, participant, null], JSON.stringify(e));
      assert.ok(VARIANTS.includes(e.variant) && e.task && e.at && e.received_at, JSON.stringify(e));
    }
    assert.equal(events[0].variant, assigned(STUDY, participant));
    const bob = await token(real.url, 'bob');
    const refused = await api(real.url, 'GET', '/lab/events?all=true', { token: bob });
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'forbidden']);
    // Nobody posts in another's name or time.
    const forged = await api(real.url, 'POST', '/lab/events', { token: bob, body: { type: 'send', username: 'alice', received_at: '2000-01-01T00:00:00Z' } });
    assert.equal(forged.status, 400);
    assert.match(forged.body.error.message, /set by the server/);
    // A user's session cannot post a study's events, in the participant's name or any other.
    const asUser = await api(real.url, 'POST', '/lab/events', { token: bob, body: { ...events[0], id: undefined, username: undefined, received_at: undefined } });
    assert.deepEqual([asUser.status, asUser.body.error.code], [403, 'forbidden']);
    assert.match(asUser.body.error.message, /participants/);
    assertNoErrors(page);
    await page.context().close();
  } finally {
    real.stop();
  }
});

test('on the real server: a study the researcher stores runs for the next participant, changed or closed without a rebuild', async () => {
  const real = await startServer({ researcher: RESEARCHER });
  try {
    const rita = await token(real.url, RESEARCHER.username, RESEARCHER.password);
    const study = {
      key: 'server-pilot', title: { zh: '服务器试点', en: 'Server pilot' },
      consent: { zh: '服务器上的试点研究。', en: 'About the server pilot.' },
      settings: { user: 'alice', stages: '1' },
      variants: [{ name: 'only', weight: 1, settings: {} }],
      tasks: [{ id: 'family-1', instruction: { zh: '在家庭群发一个拼手气红包', en: 'Send a lucky packet in Family' },
        intended: { chat: 'family', kind: 'lucky', amount: '2.00', count: 2 } }],
    };
    const consentOf = async (participant) => {
      const page = await newPage(browser, { viewport: PHONE });
      await page.goto(`${real.url}/?study=${study.key}&participant=${participant}&lang=en`);
      const shown = await Promise.race([
        byTestId(page, 'study-consent-text').waitFor().then(() => 'consent'),
        byTestId(page, 'study-error').waitFor().then(() => 'error'),
      ]);
      const text = await byTestId(page, shown === 'consent' ? 'study-consent-text' : 'study-error').innerText();
      return { page, shown, text };
    };

    // Only a researcher stores a study; one that does not validate is refused and stores nothing.
    const bob = await token(real.url, 'bob');
    const forbidden = await api(real.url, 'PUT', `/studies/${study.key}`, { token: bob, body: study });
    assert.deepEqual([forbidden.status, forbidden.body.error.code], [403, 'forbidden']);
    const bad = { ...study, variants: [{ name: 'only', weight: 1, settings: { stages: '7' } }] };
    const refused = await api(real.url, 'PUT', `/studies/${study.key}`, { token: rita, body: bad });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /stages="7"/);
    let first = await consentOf('e2e-server-0');
    assert.deepEqual([first.shown, first.text.includes('No study named server-pilot')], ['error', true]);
    await first.page.context().close();

    // Stored: the next participant's page reads it from the server.
    assert.equal((await api(real.url, 'PUT', `/studies/${study.key}`, { token: rita, body: study })).status, 201);
    first = await consentOf('e2e-server-1');
    assert.deepEqual([first.shown, first.text], ['consent', 'About the server pilot.']);
    await assertParticipantOnly(first.page);
    await accept(first.page);
    assert.equal(await byTestId(first.page, 'study-task').getAttribute('data-task'), 'family-1');
    await screenshot(first.page, 'study-server-task-phone-en');
    assertNoErrors(first.page);
    await first.page.context().close();

    // Changed: the next participant gets the new version, with no rebuild and no restart.
    study.consent.en = 'About the server pilot, second version.';
    assert.equal((await api(real.url, 'PUT', `/studies/${study.key}`, { token: rita, body: study })).status, 200);
    const second = await consentOf('e2e-server-2');
    assert.deepEqual([second.shown, second.text], ['consent', 'About the server pilot, second version.']);
    await second.page.context().close();

    // Closed: its link says so, and no app starts.
    assert.equal((await api(real.url, 'PUT', `/studies/${study.key}`, { token: rita, body: { ...study, closed: true } })).status, 200);
    const closed = await consentOf('e2e-server-3');
    assert.equal(closed.shown, 'error');
    assert.match(closed.text, /server-pilot is closed/);
    assert.equal(await byTestId(closed.page, 'tab-chats').count(), 0);
    await closed.page.context().close();
  } finally {
    real.stop();
  }
});
