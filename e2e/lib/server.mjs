// hongbao-server for the end-to-end tests: the binary `cargo xtask e2e` built
// (HONGBAO_SERVER_BIN), on a free loopback port and a throwaway SQLite file, serving the built
// app; and a small client of its API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST } from './harness.mjs';

export const SERVER_BIN = process.env.HONGBAO_SERVER_BIN;

/**
 * Starts the server; resolves with `{ url, stop }` once it listens. `researcher`: an account
 * `{ username, password }` created as a researcher (the password through the environment, as
 * an operator would); `args`: more flags (e.g. `--test-clock`).
 */
export async function startServer({ researcher, args = [] } = {}) {
  assert.ok(SERVER_BIN && fs.existsSync(SERVER_BIN), `HONGBAO_SERVER_BIN (${SERVER_BIN}) is the hongbao-server binary`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hongbao-e2e-'));
  const env = { ...process.env };
  const flags = ['--listen', '127.0.0.1:0', '--database-url', `sqlite://${path.join(dir, 'e2e.db')}`, '--static-dir', DIST, ...args];
  if (researcher) {
    flags.push('--researcher', researcher.username);
    env.HONGBAO_RESEARCHER_PASSWORD = researcher.password;
  }
  const child = spawn(SERVER_BIN, flags, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`hongbao-server exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
  });
  return { url, stop: () => { child.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** One API call; `{ status, body }` (the body parsed, `null` when empty). */
export async function api(url, method, route, { token, body } = {}) {
  const res = await fetch(`${url}/api/v1${route}`, {
    method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A session token of `username` (a demo user's password by default). */
export async function token(url, username, password = 'hongbao') {
  return (await api(url, 'POST', '/login', { body: { username, password } })).body.token;
}
