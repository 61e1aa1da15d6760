// Helpers of the embed's end-to-end tests: a served directory with the fixtures (host pages)
// and the embed bundle under embed/, the strict CSP, and what a widget looks like.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const EMBED_DIST = process.env.HONGBAO_EMBED_DIST ?? path.resolve(import.meta.dirname, '../../target/dist-embed');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

/** The CSP every embed page is served with (README, "Embed"). */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** The embed bundle's manifest (xtask/src/build.rs, hash_names): logical file name →
 *  `{file, integrity}`, the file named after its content, the integrity its SRI hash. */
export function manifest() {
  return JSON.parse(fs.readFileSync(path.join(EMBED_DIST, 'manifest.json'), 'utf8')).files;
}

/** A temporary directory with the fixtures and the embed bundle in embed/; `remove()` it after. */
export function embedRoot() {
  assert.ok(fs.existsSync(path.join(EMBED_DIST, 'hongbao-embed.js')), `no embed build in ${EMBED_DIST}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hongbao-embed-'));
  fs.cpSync(FIXTURES, root, { recursive: true });
  fs.cpSync(EMBED_DIST, path.join(root, 'embed'), { recursive: true });
  return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Records CSP (and Trusted Types) violations from before the first script runs. */
export async function watchCsp(page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample ?? ''}`), true);
  });
}

/** Starts the claim demo in `scope` (pressing its packet opens it) and claims with 開;
 *  returns the amount text. */
export async function claimIn(scope) {
  await scope.locator('[data-testid="embed-start"]').click();
  await scope.locator('[data-testid="open-button"]').click();
  const amount = scope.locator('[data-testid="claimed-amount"]');
  await amount.waitFor();
  return amount.innerText();
}

/** The computed look of every element in the shadow root of each host in `ids`, in document
 *  order: sizes, fonts, colours, spacing. */
export function looks(page, ids) {
  return page.evaluate((ids) => {
    const PROPS = ['display', 'font-size', 'line-height', 'font-family', 'font-weight', 'font-style',
      'letter-spacing', 'word-spacing', 'text-align', 'text-transform', 'color', 'background-color',
      'border-top-width', 'border-top-color', 'border-top-left-radius', 'padding-top', 'padding-left',
      'margin-top', 'margin-left', 'box-sizing', 'visibility', 'opacity', 'color-scheme', 'accent-color'];
    const out = {};
    for (const id of ids) {
      const host = document.getElementById(id);
      const all = [host, ...host.shadowRoot.querySelectorAll('*')].filter((el) => el.localName !== 'link');
      out[id] = all.map((el, n) => {
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        const look = { n, el: `${el.localName}.${typeof el.className === 'string' ? el.className : ''}`,
          width: r.width.toFixed(1), height: r.height.toFixed(1) };
        for (const p of PROPS) look[p] = s.getPropertyValue(p);
        return look;
      });
    }
    return out;
  }, ids);
}

/** The differences between two results of `looks`, at most `max` lines. */
export function differences(a, b, max = 20) {
  const lines = [];
  for (const id of Object.keys(a)) {
    if (a[id].length !== b[id].length) lines.push(`${id}: ${a[id].length} elements, then ${b[id].length}`);
    for (let n = 0; n < Math.min(a[id].length, b[id].length); n++) {
      for (const key of Object.keys(a[id][n])) {
        if (a[id][n][key] !== b[id][n][key]) lines.push(`${id} #${n} ${a[id][n].el} ${key}: ${a[id][n][key]} → ${b[id][n][key]}`);
      }
    }
  }
  return lines.slice(0, max);
}
