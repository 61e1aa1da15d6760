// Shared harness for the end-to-end tests and browser benchmarks: a static server for the
// built app, Debian's headless Chromium through playwright-core, console-error capture and
// screenshots under target/e2e/.
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
