// `cargo xtask bench lab`: the fairness view's budget, on the release build in headless Chromium.
//   fairness_1m_ms       one million double-mean packets of 10 (total ¥100), from the click on
//                        fairness-run to fairness-done (its data-ms: measured in the page); the
//                        median of 3 runs
//   fairness_long_tasks  long tasks > 100 ms (PerformanceObserver 'longtask') during those runs
//   console_results_100k_ms  the researcher's console on hongbao-server (HONGBAO_SERVER_BIN):
//                        a study with 100,000 events (20,000 participants, 5 events each);
//                        from choosing the study in the console's results to its finished
//                        results and charts (the table counts all 20,000, the charts drawn);
//                        the median of 3 runs (each from another experiment's results)
//   console_long_tasks   long tasks > 100 ms in the console's page during those runs
import { serveStatic, launch, newPage, assertNoErrors, byTestId, waitForApp } from '../lib/harness.mjs';
import { openApp } from '../lib/flows.mjs';
import { startServer, api } from '../lib/server.mjs';

const server = await serveStatic();
const browser = await launch();
try {
  const page = await newPage(browser, { viewport: { width: 420, height: 1400 } });
  await openApp(page, server.url, { lang: 'en' });
  await byTestId(page, 'tab-lab').click();
  await byTestId(page, 'fairness-total').fill('100');
  await byTestId(page, 'fairness-count').fill('10');
  await byTestId(page, 'fairness-packets').fill('1000000');
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: false });
  });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    await byTestId(page, 'fairness-run').click();
    const done = byTestId(page, 'fairness-done');
    await done.waitFor({ timeout: 60_000 });
    const ms = Number(await done.getAttribute('data-ms'));
    console.log(`run ${i + 1}: in-page ${ms} ms, wall ${Date.now() - t0} ms`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const longTasks = await page.evaluate(() => window.__longTasks);
  console.log(`long task durations ms: ${JSON.stringify(longTasks.map((d) => Math.round(d)))}`);
  assertNoErrors(page);
  console.log(`fairness_1m_ms=${Math.round(times[1])}`);
  console.log(`fairness_long_tasks=${longTasks.filter((d) => d > 100).length}`);
  await page.context().close();
  await consoleResults();
} finally {
  await browser.close();
  await server.close();
}

/** A study's 100,000 events on the server, then its results opened in the console. */
async function consoleResults() {
  const RESEARCHER = { username: 'rita', password: 'bench console password' };
  const PEOPLE = 20_000;
  // Every participant joins from this one address: no join limit.
  const real = await startServer({ researcher: RESEARCHER, args: ['--participant-joins-per-ip', '0'] });
  try {
    // Posted as participants do (the shipped study send-basics): each joins the study and
    // posts its events with its own token; the server sets study, participant and variant.
    const at = (s) => new Date(Date.UTC(2026, 11, 1) + s * 1000).toISOString();
    const participate = async (i) => {
      const joined = await api(real.url, 'POST', '/studies/send-basics/participants', { body: { participant: `bench-${i}` } });
      if (joined.status !== 201) throw new Error(`joining: ${joined.status} ${JSON.stringify(joined.body)}`);
      const base = { task: 'family-188' };
      const slip = i % 7 === 0;
      const actual = slip ? 'family normal 18.80×10' : 'family normal 1.88×10';
      const events = [
        { type: 'exposure', ...base, at: at(i) },
        { type: 'consent', ...base, at: at(i) },
        { type: 'send', ...base, at: at(i + 1), ms: 4000 + (i * 37) % 9000, intended: 'family normal 1.88×10', actual, slip },
        { type: 'task_done', ...base, at: at(i + 2), intended: 'family normal 1.88×10', actual, slip },
        { type: 'complete', ...base, at: at(i + 3) },
      ];
      const res = await api(real.url, 'POST', '/lab/events', { token: joined.body.token, body: events });
      if (res.status !== 201) throw new Error(`seeding: ${res.status} ${JSON.stringify(res.body)}`);
    };
    for (let i = 0; i < PEOPLE; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, PEOPLE - i) }, (_, j) => participate(i + j)));
    }

    const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(`${real.url}/?lang=en`);
    await waitForApp(page);
    await byTestId(page, 'tab-lab').click();
    await byTestId(page, 'lab-signin-user').fill(RESEARCHER.username);
    await byTestId(page, 'lab-signin-password').fill(RESEARCHER.password);
    await byTestId(page, 'lab-signin-submit').click();
    await byTestId(page, 'lab-researcher').waitFor();
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
    });
    const select = byTestId(page, 'lab-results-for');
    const times = [];
    for (let run = 0; run < 3; run++) {
      // From another experiment's results (none), to the study's.
      await select.selectOption('prevent-vs-recover');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="lab-result-row"]')].every((r) => r.dataset.participants === '0'));
      const ms = await page.evaluate(async (people) => {
        const select = document.querySelector('[data-testid="lab-results-for"]');
        const t0 = performance.now();
        select.value = 'send-basics';
        select.dispatchEvent(new Event('change', { bubbles: true }));
        await new Promise((resolve) => {
          const done = () => {
            const rows = [...document.querySelectorAll('[data-testid="lab-result-row"]')];
            const total = rows.reduce((n, r) => n + Number(r.dataset.participants), 0);
            return total === people && document.querySelector('[data-testid="lab-chart-slip"]');
          };
          const poll = () => (done() ? resolve() : requestAnimationFrame(poll));
          poll();
        });
        return performance.now() - t0;
      }, PEOPLE);
      console.log(`console run ${run + 1}: ${Math.round(ms)} ms`);
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    const longTasks = await page.evaluate(() => window.__longTasks);
    console.log(`console long task durations ms: ${JSON.stringify(longTasks.map((d) => Math.round(d)))}`);
    assertNoErrors(page);
    console.log(`console_results_100k_ms=${Math.round(times[1])}`);
    console.log(`console_long_tasks=${longTasks.filter((d) => d > 100).length}`);
  } finally {
    real.stop();
  }
}
