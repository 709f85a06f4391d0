// Shared harness of the browser tests: starts the real `openwelfare`
// binary on a fresh SQLite database (it imports the official files from the
// data mirror on its own), launches Debian's Chromium through playwright-core,
// and gives the tests a few helpers (the API, number formatting as the
// server writes it, waiting for a JS-driven view change).
//
// Nothing is skipped: a missing binary, mirror or browser fails the test
// file with a message that says what to install or build.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** The project root (tests/browser -> ../..). */
export const ROOT = resolve(here, '..', '..');
/** axe-core's browser bundle, injected into pages. */
export const AXE = join(here, 'node_modules', 'axe-core', 'axe.min.js');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const READY_TIMEOUT_MS = 120_000;

function binaryPath() {
  if (process.env.OPENWELFARE_BIN) return resolve(process.env.OPENWELFARE_BIN);
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
  return join(target, 'debug', 'openwelfare');
}

function mirrorPath() {
  return resolve(here, '..', '..', '..', 'shared', 'data');
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Start `openwelfare serve` on a free loopback port and an empty SQLite
 * database; resolve once /readyz answers 200 with {"data":"loaded"}.
 * `options.env` adds (or overrides) environment variables of the server,
 * e.g. `{ OPENWELFARE_MAIL_URL: 'file:/tmp/x' }`.
 * Returns { url, stop, log }.
 */
export async function startServer(options = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(
      `the openwelfare binary is missing at ${bin}: build it with \`cargo build -p openwelfare\` ` +
        '(or set OPENWELFARE_BIN / CARGO_TARGET_DIR)',
    );
  }
  const mirror = mirrorPath();
  if (!existsSync(join(mirror, 'open-welfare-2014')) || !statSync(mirror).isDirectory()) {
    throw new Error(`the official data mirror is missing at ${mirror} (expected ${mirror}/open-welfare-2014)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'openwelfare-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      OPENWELFARE_DATABASE_URL: `sqlite://${join(dir, 't.db')}`,
      OPENWELFARE_BIND: `127.0.0.1:${port}`,
      OPENWELFARE_DATA_MIRROR: mirror,
      OPENWELFARE_LOG_LEVEL: 'warn',
      OPENWELFARE_LOG_FORMAT: 'text',
      NO_COLOR: '1',
      ...(options.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((ok) => child.on('exit', (code, signal) => ok((exited = { code, signal }))));
  // Never leave a server behind, even if the test process dies.
  const killOnExit = () => child.exitCode === null && child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited === null) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((ok) => {
        timer = setTimeout(() => ok('timeout'), 10_000);
      });
      const first = await Promise.race([exit, timeout]);
      clearTimeout(timer);
      if (first === 'timeout') {
        child.kill('SIGKILL');
        await exit;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (/panicked/.test(log)) throw new Error(`openwelfare panicked during the tests:\n${log}`);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop();
      throw new Error(`openwelfare serve exited (${JSON.stringify(exited)}) before being ready:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      const body = await response.text();
      last = `${response.status} ${body}`;
      if (response.status === 200 && JSON.parse(body).data === 'loaded') {
        return { url, stop, log: () => log };
      }
    } catch (error) {
      last = String(error.cause?.code ?? error.message);
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`openwelfare was not ready within ${READY_TIMEOUT_MS / 1000} s (last /readyz: ${last}):\n${log}`);
}

/** Launch Debian's Chromium, headless; never downloads a browser. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium fonts-dejavu-core\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Everything a test file needs: a server and a browser, both closed by
 * `stop`. `options` go to startServer (`env`).
 */
export async function setUp(options = {}) {
  const server = await startServer(options);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: server.url,
    browser,
    serverLog: server.log,
    async stop() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/**
 * As setUp, with the server's mail written as .eml files into a temp dir
 * (`mailDir`, removed by `stop`) and rate limits high enough for a test
 * file's many log-ins.
 */
export async function setUpWithMail() {
  const mailDir = mkdtempSync(join(tmpdir(), 'openwelfare-mail-'));
  let env;
  try {
    env = await setUp({
      env: {
        OPENWELFARE_MAIL_URL: `file:${mailDir}`,
        OPENWELFARE_AUTH_RATE_PER_IP: '100000',
        OPENWELFARE_AUTH_RATE_PER_ACCOUNT: '100000',
      },
    });
  } catch (error) {
    rmSync(mailDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...env,
    mailDir,
    async stop() {
      await env.stop();
      rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

/** axe-core's rules for WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Run axe (WCAG_TAGS) on the page as it is; the page's context must bypass
 * CSP to inject it. Returns how many rules ran, how many were violated and
 * the violations described (rule, impact, up to five elements each).
 */
export async function runAxe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_TAGS,
  );
  const report = result.violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`)
          .join('\n'),
    )
    .join('\n');
  return {
    rulesRun: result.passes.length + result.incomplete.length + result.inapplicable.length,
    violations: result.violations.length,
    report,
  };
}

/** GET a JSON document from the server (outside the browser). */
export async function getJson(base, path) {
  const response = await fetch(base + path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The API's rows for a variable on the only published year (2014), keyed by area name. */
export async function observations(base, { dataset, variable, boundaries }) {
  const q = new URLSearchParams({ dataset, variable, year: '2014', boundaries });
  const body = await getJson(base, `/api/v1/observations?${q}`);
  return new Map(body.rows.map((row) => [row.area_name, row]));
}

/**
 * A number written as the server writes it: grouped from 1,000 in both
 * languages ("8.149" / "8,149"), `decimals` digits after the separator.
 * Written here independently of the server (Intl's Italian does not group
 * four-digit numbers, so it cannot be used).
 */
export function formatNumber(value, decimals, lang) {
  const [group, point] = lang === 'it' ? ['.', ','] : [',', '.'];
  const text = Math.abs(value).toFixed(decimals);
  const [int, frac] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const sign = value < 0 && /[1-9]/.test(text) ? '-' : '';
  return sign + grouped + (frac ? point + frac : '');
}

/** The inverse of formatNumber (a trailing % or text is ignored). */
export function parseNumber(text, lang) {
  const match = text.trim().match(/^-?[\d.,]+/);
  if (!match) return NaN;
  const [group, point] = lang === 'it' ? ['.', ','] : [',', '.'];
  return Number(match[0].split(group).join('').replace(point, '.'));
}

/**
 * The value a map area shows for an API row, as text ("8.149",
 * "102,5", "23,6%"), for a count variable.
 */
export function expectedShown(row, measure, lang) {
  switch (measure) {
    case 'count':
      return row.value === null ? null : formatNumber(row.value, 0, lang);
    case 'per_1000':
      return row.per_1000 === null ? null : formatNumber(row.per_1000, 1, lang);
    case 'share':
      return row.share === null ? null : `${formatNumber(row.share * 100, 1, lang)}%`;
    default:
      throw new Error(`unknown measure ${measure}`);
  }
}

/** What the map shows now: title, areas (name, value text, label, fill), legend. */
export function readMap(page) {
  return page.evaluate(() => {
    const view = document.querySelector('#view');
    return {
      title: document.title,
      h1: view?.querySelector('h1')?.textContent ?? null,
      url: location.href,
      areas: [...document.querySelectorAll('svg.map a[data-name]')].map((a) => ({
        name: a.dataset.name,
        value: a.dataset.value,
        label: a.getAttribute('aria-label'),
        href: a.getAttribute('href'),
        fill: a.querySelector('path')?.getAttribute('fill') ?? null,
      })),
      legend: [...document.querySelectorAll('ul.legend li')].map((li) => ({
        color: li.querySelector('rect')?.getAttribute('fill') ?? null,
        nodata: li.querySelector('.nodata') !== null,
        label: li.textContent.trim(),
      })),
      form: Object.fromEntries(
        [...document.querySelectorAll('form.controls select')].map((s) => [s.name, s.value]),
      ),
    };
  });
}

/**
 * Select `value` in the form's `name` select (as a reader would, so the
 * form's change event fires) and wait until the view shows a new title.
 */
export async function choose(page, name, value) {
  const before = await page.locator('#view h1').textContent();
  await page.selectOption(`form.controls select[name="${name}"]`, value);
  await page.waitForFunction(
    (old) => {
      const view = document.querySelector('#view');
      const h1 = view?.querySelector('h1');
      return h1 && h1.textContent !== old && !view.hasAttribute('aria-busy');
    },
    before,
    { timeout: 15_000 },
  );
}

/** Mark the page's JS realm; a full page load loses the mark. */
export async function mark(page) {
  const token = `mark-${Math.random()}`;
  await page.evaluate((t) => {
    window.__openwelfareMark = t;
  }, token);
  return async () => page.evaluate(() => window.__openwelfareMark ?? null).then((v) => v === token);
}

/**
 * Check that the map on `page` shows `view` exactly as the API computes it:
 * one area per API row, each area's value and label the API's number
 * formatted in `lang`, each fill a legend colour whose class range holds
 * the area's value, and 5 classes plus "not available" in the legend.
 * Returns what the map shows.
 */
export async function checkMapAgainstApi(page, base, view, lang) {
  const { default: assert } = await import('node:assert/strict');
  const rows = await observations(base, view);
  const shown = await readMap(page);
  const where = `${JSON.stringify(view)} (${shown.title})`;
  assert.equal(shown.areas.length, rows.size, `areas on the map for ${where}`);
  assert.deepEqual(
    shown.areas.map((a) => a.name).sort(),
    [...rows.keys()].sort(),
    `area names for ${where}`,
  );
  const colours = shown.legend.filter((item) => !item.nodata);
  assert.equal(colours.length, 5, `legend classes for ${where}: ${JSON.stringify(shown.legend)}`);
  assert.equal(shown.legend.filter((item) => item.nodata).length, 1, `"not available" in the legend for ${where}`);
  assert.equal(new Set(colours.map((c) => c.color)).size, 5, `distinct legend colours for ${where}`);
  for (const area of shown.areas) {
    const row = rows.get(area.name);
    const expected = expectedShown(row, view.measure, lang);
    assert.ok(expected !== null, `the API has a value for ${area.name} in ${where}`);
    assert.ok(
      area.value.startsWith(`${expected} `),
      `${area.name} shows "${area.value}", the API says ${JSON.stringify(row)} -> "${expected}" (${where})`,
    );
    assert.equal(area.label, `${area.name}: ${area.value}`, `aria-label of ${area.name}`);
    const item = colours.find((c) => c.color === area.fill);
    assert.ok(item, `${area.name}'s fill ${area.fill} is a legend colour (${where})`);
    const [lo, hi = lo] = item.label.split(' – ').map((t) => parseNumber(t, lang));
    const value = parseNumber(expected, lang);
    assert.ok(
      lo <= value && value <= hi,
      `${area.name} (${expected}) lies in its legend class "${item.label}" (${where})`,
    );
  }
  return shown;
}

/** The rows of `table[data-sortable]`: name and the text of each cell. */
export function readTable(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('table[data-sortable] tbody tr')].map((tr) => ({
      name: tr.querySelector('th').textContent.trim(),
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    })),
  );
}

/**
 * Check the table on `page` against the API: per row the shown value,
 * count, population, per 1,000 and share, formatted in `lang`.
 */
export async function checkTableAgainstApi(page, base, view, lang) {
  const { default: assert } = await import('node:assert/strict');
  const rows = await observations(base, view);
  const table = await readTable(page);
  assert.equal(table.length, rows.size, `table rows for ${JSON.stringify(view)}`);
  for (const { name, cells } of table) {
    const row = rows.get(name);
    assert.ok(row, `table row ${name} is an API area`);
    assert.deepEqual(
      cells,
      [
        expectedShown(row, view.measure, lang),
        formatNumber(row.value, 0, lang),
        formatNumber(row.population, 0, lang),
        formatNumber(row.per_1000, 1, lang),
        `${formatNumber(row.share * 100, 1, lang)}%`,
      ],
      `table row ${name} against the API ${JSON.stringify(row)}`,
    );
  }
  return table;
}

/**
 * Decode one message as the server writes it (.eml, MIME, UTF-8): the
 * unfolded headers (lower-case names) and the text and HTML parts, whatever
 * their transfer encoding (7bit, 8bit, quoted-printable, base64).
 */
export function decodeMail(raw) {
  const split = (text) => {
    const at = text.search(/\r?\n\r?\n/);
    const head = at < 0 ? text : text.slice(0, at);
    const body = at < 0 ? '' : text.slice(at).replace(/^\r?\n\r?\n/, '');
    const headers = {};
    for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { headers, body };
  };
  const decode = (body, encoding = '') => {
    switch (encoding.toLowerCase()) {
      case 'base64':
        return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      case 'quoted-printable': {
        const soft = body.replace(/=\r?\n/g, '');
        const bytes = [];
        for (let i = 0; i < soft.length; i += 1) {
          const hex = soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3)) ? soft.slice(i + 1, i + 3) : null;
          if (hex) {
            bytes.push(parseInt(hex, 16));
            i += 2;
          } else {
            bytes.push(...Buffer.from(soft[i], 'utf8'));
          }
        }
        return Buffer.from(bytes).toString('utf8');
      }
      default:
        return body;
    }
  };
  const message = split(raw);
  const parts = [];
  const walk = ({ headers, body }) => {
    const type = headers['content-type'] ?? 'text/plain';
    const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      const chunks = body.split(`--${boundary}`).slice(1);
      for (const chunk of chunks) {
        if (chunk.startsWith('--')) break;
        walk(split(chunk.replace(/^\r?\n/, '')));
      }
    } else {
      parts.push({ type: type.split(';')[0].trim().toLowerCase(), text: decode(body, headers['content-transfer-encoding']) });
    }
  };
  walk(message);
  return {
    headers: message.headers,
    text: parts.find((p) => p.type === 'text/plain')?.text ?? null,
    html: parts.find((p) => p.type === 'text/html')?.text ?? null,
  };
}

/**
 * Wait for the newest .eml file in `dir` (optionally only those to `to`,
 * written at or after `since` ms) whose text part has a link, alone on its
 * line, whose path starts with `path`; resolve to { link, mail, file }.
 * The server sends mail in the background, so this polls up to `timeout` ms.
 */
export async function readMailLink(dir, { to, path = '/', since = 0, timeout = 10_000 } = {}) {
  const { readdirSync, readFileSync } = await import('node:fs');
  const deadline = Date.now() + timeout;
  let seen = 0;
  for (;;) {
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith('.eml'))
          .map((name) => ({ file: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
          .filter((f) => f.mtime >= since)
          .sort((a, b) => b.mtime - a.mtime)
      : [];
    seen = files.length;
    for (const { file } of files) {
      const mail = decodeMail(readFileSync(file, 'utf8'));
      if (to && !(mail.headers.to ?? '').toLowerCase().includes(to.toLowerCase())) continue;
      const link = (mail.text ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .find((line) => /^https?:\/\/\S+$/.test(line) && new URL(line).pathname.startsWith(path));
      if (link) return { link, mail, file };
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail${to ? ` to ${to}` : ''} with a ${path} link in ${dir} within ${timeout} ms (${seen} .eml files)`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------- accounts over HTTP (shared by the participation tests)

/**
 * fetch with a cookie jar, no redirect following, and the Origin header a
 * browser would send (the server's CSRF guard checks it). The same client
 * as accounts.test.js's, exported for other files.
 */
export class HttpClient {
  constructor(base) {
    this.base = base;
    this.jar = new Map();
  }

  keep(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(path, init = {}) {
    const response = await fetch(new URL(path, this.base), {
      ...init,
      redirect: 'manual',
      headers: {
        ...init.headers,
        cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    this.keep(response);
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  get(path) {
    return this.request(path);
  }

  /** POST `fields` (form-encoded) to `action` with the csrf field of the form on `page` (GET first). */
  async submit(page, action, fields) {
    const form = await this.get(page);
    const csrf = form.text.match(/name="csrf" value="([^"]+)"/)?.[1];
    if (!csrf) throw new Error(`${page} has no csrf field (status ${form.status})`);
    return this.request(action, {
      method: 'POST',
      headers: { origin: this.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
  }
}

/**
 * Sign up by HTTP and follow the link mailed to `mailDir`: a verified
 * account. Returns { email, password, name }.
 */
export async function createVerifiedUser(base, mailDir, { email, name, password }) {
  const client = new HttpClient(base);
  const since = Date.now() - 1000;
  const signed = await client.submit('/account/registrati', '/account/registrati', {
    email,
    display_name: name,
    password,
  });
  if (signed.status !== 200) throw new Error(`sign-up of ${email}: ${signed.status} ${signed.text.slice(0, 500)}`);
  const { link } = await readMailLink(mailDir, { to: email, path: '/account/verifica', since });
  const verified = await client.get(link);
  if (verified.status !== 200) throw new Error(`verification link of ${email}: ${verified.status}`);
  return { email, password, name };
}

/** An HttpClient logged in as `user` (by the log-in form's POST). */
export async function loggedInClient(base, { email, password }) {
  const client = new HttpClient(base);
  const answer = await client.submit('/account/accedi', '/account/accedi', { email, password });
  if (answer.status !== 303 && answer.status !== 302) {
    throw new Error(`log-in of ${email}: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  return client;
}

/** Log `page` in by the form (language-neutral selectors); waits for the redirect. */
export async function logInPage(page, base, { email, password }) {
  await page.goto(`${base}/account/accedi`);
  await page.fill('form[action="/account/accedi"] input[name="email"]', email);
  await page.fill('form[action="/account/accedi"] input[name="password"]', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/account/accedi'),
    page.click('form[action="/account/accedi"] button[type="submit"]'),
  ]);
}
