// Shared harness for the end-to-end tests and browser benchmarks: a static server for the
// built app, Debian's headless Chromium through playwright-core, console-error capture,
// screenshots under target/e2e/, and the page's clock under the test's control.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const DIST = process.env.HONGBAO_DIST ?? path.resolve(import.meta.dirname, '../../dist');
export const ARTIFACTS = process.env.HONGBAO_ARTIFACTS ?? path.resolve(import.meta.dirname, '../../target/e2e');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Flags for a closed network: without the background-networking ones Chromium keeps
// trying to reach Google's hosts.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** Serves `root` on a free loopback port; `headers` are added to every response. */
export async function serveStatic(root = DIST, headers = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(path.normalize(root))) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A new page that records console errors, page errors and failed requests in `page.errors`.
 * Call `assertNoErrors(page)` at the end of a test.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 420, height: 820 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => page.errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`));
  return page;
}

/** `allowed`: patterns of errors the test expects (e.g. the console line of a 400 answer). */
export function assertNoErrors(page, allowed = []) {
  const errors = page.errors.filter((e) => !allowed.some((re) => re.test(e)));
  if (errors.length) throw new Error(`errors in the page:\n${errors.join('\n')}`);
}

/** Waits until the app has mounted and accepts input. */
export async function waitForApp(page) {
  await page.locator('[data-testid="lang-switch"]').waitFor({ state: 'visible', timeout: 15000 });
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/**
 * Resolves once the page has handled what is queued and painted twice: every task and reaction
 * an event started has run. Use it before asserting that something did *not* happen in answer to
 * an event (a dialog that must stay open), instead of waiting a fixed time.
 */
export async function settled(page) {
  await page.evaluate(() => new Promise((done) => setTimeout(() =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))), 0)));
}

// Time under the test's control (README, "Testing"). A test of timed behaviour (a hold, a
// guard, a countdown, the claim's spin and count-up, a debounce, bots, expiry) installs
// Playwright's clock before the page loads: the page's Date, setTimeout / setInterval,
// requestAnimationFrame and performance.now are then Playwright's fakes (the app's wasm reaches
// them through wasm-bindgen's glue, which looks the globals up at each call). Time flows as
// usual until `pauseClock`; from then on it moves only when the test calls `advance`, which
// fires every timer and animation frame due, in order, as if that much time had passed. So a
// "not yet" is asserted with the clock paused, never after a `waitForTimeout`, and nothing slow
// (a screenshot) runs inside a timed window while the clock flows.

/** Installs the fake clock; call before the first `goto`. `time`: the start (default now). */
export async function installClock(page, time) {
  await page.clock.install(time === undefined ? {} : { time });
}

/** How far `pauseClock` lets the page's time run on before stopping it (see there). */
const PAUSE_AHEAD_MS = 200;

/**
 * Stops the page's time. Call it before the action that starts a timed window: pausing fires
 * the timers due within the next PAUSE_AHEAD_MS (Playwright pauses at a time, which must not be
 * in the page's past when the call arrives). On a machine too slow to call within that margin,
 * Playwright has stopped the clock anyway before refusing; the clock then stays where it stopped.
 */
export async function pauseClock(page) {
  const now = await page.evaluate(() => Date.now());
  try {
    await page.clock.pauseAt(now + PAUSE_AHEAD_MS);
  } catch (e) {
    if (!/past/.test(String(e?.message))) throw e;
    await page.clock.pauseAt(await page.evaluate(() => Date.now()));
  }
}

/** Moves the paused clock `ms` forward, firing every timer and animation frame due on the way. */
export async function advance(page, ms) {
  await page.clock.runFor(ms);
}

/** Lets time flow again (at the real pace, from where the clock stands). */
export async function resumeClock(page) {
  await page.clock.resume();
}
