// Live participation in a real browser against the real server: citizens'
// annotations and the quartiere discussion, delivered over the websocket
// (/ws) by frontend/static/live.js. What this file proves:
//
// 1. Live, without reloading: while a signed-in citizen (context A)
//    publishes an annotation with a point in Navile through the labelled
//    form, another reader (context B, anonymous) sees, within 5 s and
//    without any navigation, the new marker on the home map (inside
//    Navile's shape, where the server would draw it) and the new item at
//    the top of the quartiere's list; the empty-list text goes away and a
//    polite live region (present before the news) announces it. A's next
//    message in the discussion appears in B's thread within 5 s.
// 2. Reconnection: when B's socket drops while the browser is offline (new
//    connections fail), an annotation published meanwhile reaches B's map
//    once the network is back: live.js reconnects with backoff and resumes
//    with `since`, in the same page, with no duplicate marker.
//    (Chromium's offline emulation alone does not close an open websocket,
//    it only holds its frames: the page's socket is closed by the test,
//    through a recording wrapper around window.WebSocket.)
// 3. XSS: hostile titles, bodies, replies and a hostile display name,
//    received live (live.js inserts the server's sanitized body_html with
//    innerHTML) and loaded fresh (quartiere page, every annotation page, the
//    home map), with CSP on and with CSP bypassed (so the sanitizer alone is
//    tested): no payload ever runs, no on* attribute, no javascript:/data:
//    link, only the documented tags in .user-text, every user link has
//    rel="nofollow ugc noopener", no CSP violation; titles show as literal
//    text; the live markup equals the server's.
// 4. axe-core (WCAG 2.0/2.1 A and AA) finds no violation on a quartiere page
//    with annotations and posts (also after live insertions), an annotation
//    page with its discussion, the report form (reached from the annotation,
//    refused naming the reason, received), a held annotation listing what
//    the content screen found, the public moderation log, /notifiche and
//    /seguiti; notification links
//    point at the post they are about.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createVerifiedUser, loggedInClient, logInPage, mark, runAxe, setUpWithMail } from './harness.js';

const PASSWORD = 'tortellini sotto le due torri';
/** A point inside Navile. */
const NAVILE = { lon: '11.3466', lat: '44.5128' };
const QUARTIERE = '/quartieri/navile';
const LIVE_MS = 5_000;
/** live.js backs off up to 30 s: a reconnection comes within 35 s. */
const RECONNECT_MS = 35_000;

let env;
let mailDir;
/** Verified accounts: A (the author of test 1), C (a second author), X (hostile display name). */
let alice;
let carlo;
let mallory;
/** Logged-in HTTP clients of the same accounts. */
let http;

before(async () => {
  env = await setUpWithMail();
  mailDir = env.mailDir;
  const account = (tag, name) =>
    createVerifiedUser(env.url, mailDir, { email: `${tag}-${process.pid}@example.org`, name, password: PASSWORD });
  [alice, carlo, mallory] = await Promise.all([
    account('alice', 'Giulia Verdi'),
    account('carlo', 'Carlo Neri'),
    account('mallory', '<img src=x onerror="pwned(\'name\')">'),
  ]);
  http = {};
  for (const [key, user] of Object.entries({ alice, carlo, mallory })) http[key] = await loggedInClient(env.url, user);
});

after(async () => {
  await env?.stop();
});

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Poll `check` (sync or async) until it is truthy; fail with `what` after `timeout` ms. */
async function until(check, what, timeout = LIVE_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`);
    await sleep(50);
  }
}

function newContext(options = {}) {
  return env.browser.newContext({ locale: 'it-IT', ...options });
}

/**
 * Follow the page's websockets (as Playwright sees them): how many were
 * opened, closed, subscribed, and the frames the page sent.
 */
function watchSockets(page) {
  const seen = { opened: 0, closed: 0, subscribed: 0, sent: [] };
  page.on('websocket', (ws) => {
    seen.opened += 1;
    ws.on('framesent', (f) => seen.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => {
      if (String(f.payload).includes('"type":"subscribed"')) seen.subscribed += 1;
    });
    ws.on('close', () => {
      seen.closed += 1;
    });
  });
  return seen;
}

/** Open `path` and wait until live.js's socket is subscribed. */
async function openLive(page, path) {
  const sockets = watchSockets(page);
  const response = await page.goto(env.url + path);
  assert.equal(response.status(), 200, `${path} answers 200`);
  await until(() => sockets.subscribed > 0, `the live socket of ${path} is subscribed`);
  return sockets;
}

/** POST a form by HTTP as `client` (the csrf field of its profile page, fetched once). */
async function send(client, action, fields) {
  if (!client.csrf) {
    const profile = await client.get('/account');
    client.csrf = profile.text.match(/name="csrf" value="([^"]+)"/)?.[1];
    assert.ok(client.csrf, `a csrf field on /account (${profile.status})`);
  }
  return client.request(action, {
    method: 'POST',
    headers: { origin: env.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: client.csrf, ...fields }).toString(),
  });
}

/** An annotation on Navile by HTTP; its id. */
async function annotate(client, { title, body, point = true }) {
  const fields = { title, body, lon: point ? NAVILE.lon : '', lat: point ? NAVILE.lat : '', variable: '' };
  const answer = await send(client, `${QUARTIERE}/annotazioni`, fields);
  const id = answer.location?.match(/^\/quartieri\/navile#annotation-(\d+)$/)?.[1];
  assert.ok(id, `annotation ${JSON.stringify(title)} published: ${answer.status} ${answer.location} ${answer.text.slice(0, 300)}`);
  return Number(id);
}

/** A post in a discussion (`subject` "area/q2016-navile" or "annotation/<id>") by HTTP; its id. */
async function say(client, body, { parent, subject = 'area/q2016-navile' } = {}) {
  const fields = parent ? { body, parent: String(parent) } : { body };
  const answer = await send(client, `/discussioni/${subject}/messaggi`, fields);
  const id = answer.location?.match(/#post-(\d+)$/)?.[1];
  assert.ok(id, `post ${JSON.stringify(body)} published: ${answer.status} ${answer.location} ${answer.text.slice(0, 300)}`);
  return Number(id);
}

/** Publish an annotation through the page's own form, filled by label; its id. */
async function annotateByForm(page, { title, body, lon, lat }) {
  const form = page.locator('#annotation-form');
  await form.getByLabel('Titolo', { exact: true }).fill(title);
  await form.getByLabel('Testo', { exact: true }).fill(body);
  await form.getByLabel('Longitudine', { exact: true }).fill(lon);
  await form.getByLabel('Latitudine', { exact: true }).fill(lat);
  await Promise.all([
    page.waitForURL(/#annotation-\d+$/),
    form.getByRole('button', { name: "Pubblica l'annotazione" }).click(),
  ]);
  return Number(new URL(page.url()).hash.match(/\d+/)[0]);
}

/** Send a message through the discussion's own form; its id. */
async function sayByForm(page, body) {
  const form = page.locator('#new-post');
  const before = page.url();
  await form.getByLabel('Il tuo messaggio', { exact: true }).fill(body);
  await Promise.all([
    page.waitForURL((url) => /^#post-\d+$/.test(url.hash) && url.href !== before),
    form.getByRole('button', { name: 'Invia', exact: true }).click(),
  ]);
  return Number(new URL(page.url()).hash.match(/\d+/)[0]);
}

/** The selector of an annotation's marker on the map. */
const markerOf = (id) => `svg.map [data-live-markers] a[href="/annotazioni/${id}"]`;

/** axe on the page as it is (the context must bypass CSP to inject it); the violations described. */
async function axeViolations(page) {
  const axe = await runAxe(page);
  assert.ok(axe.rulesRun > 10, 'axe ran its rules');
  return axe.report;
}

// ---------------------------------------------------------------- 1. live, without reloading

test('a new annotation and a new message reach another reader live, without reloading', async () => {
  const problems = [];
  const writer = await newContext();
  const reader = await newContext();
  try {
    const a = await writer.newPage();
    await logInPage(a, env.url, alice);
    await a.goto(env.url + QUARTIERE);
    // The discussion must exist for its list to be live: a first message.
    await sayByForm(a, `Benvenuti nella discussione su Navile (${Date.now()})`);

    const map = await reader.newPage();
    const quartiere = await reader.newPage();
    await openLive(map, '/');
    await openLive(quartiere, QUARTIERE);
    const mapAlive = await mark(map);
    const quartiereAlive = await mark(quartiere);
    const regionBefore = await quartiere.evaluate(() => document.getElementById('live-announcer')?.getAttribute('aria-live') ?? null);
    await quartiere.evaluate(() => window.scrollTo(0, 0));
    const viewBox = (await map.getAttribute('svg.map', 'viewBox')).split(/\s+/).map(Number);

    const title = `Panchina rotta in via Corticella ${Date.now()}`;
    const body = 'La panchina davanti alla **biblioteca** è rotta da un mese.';
    const started = Date.now();
    const id = await annotateByForm(a, { title, body, ...NAVILE });

    // The home map: a new marker, inside the viewBox and inside Navile.
    await map.waitForSelector(markerOf(id), { state: 'attached', timeout: LIVE_MS });
    const marker = await map.evaluate((selector) => {
      const link = document.querySelector(selector);
      const circle = link.querySelector('circle');
      const [cx, cy] = [Number(circle.getAttribute('cx')), Number(circle.getAttribute('cy'))];
      const navile = document.querySelector('svg.map a[data-name="Navile"] path');
      return { cx, cy, label: link.getAttribute('aria-label'), inNavile: navile.isPointInFill(new DOMPoint(cx, cy)) };
    }, markerOf(id));
    assert.ok(Number.isFinite(marker.cx) && Number.isFinite(marker.cy), `marker position ${JSON.stringify(marker)}`);
    assert.ok(marker.cx >= viewBox[0] && marker.cx <= viewBox[0] + viewBox[2], `cx inside the viewBox ${viewBox}: ${marker.cx}`);
    assert.ok(marker.cy >= viewBox[1] && marker.cy <= viewBox[1] + viewBox[3], `cy inside the viewBox ${viewBox}: ${marker.cy}`);
    assert.ok(marker.inNavile, `the marker (${marker.cx}, ${marker.cy}) lies inside Navile's shape`);
    assert.equal(marker.label, `Annotazione: ${title}`);

    // The quartiere page: the new item at the top of the list, as text.
    const item = `[data-live-list="annotations"] > li[data-id="${id}"]`;
    await quartiere.waitForSelector(item, { timeout: LIVE_MS });
    const elapsed = Date.now() - started;
    assert.equal(await quartiere.locator(`${item} h3 a`).textContent(), title);
    assert.equal(await quartiere.getAttribute(`${item} h3 a`, 'href'), `/annotazioni/${id}`);
    assert.match(await quartiere.locator(`${item} .user-text`).innerHTML(), /<strong>biblioteca<\/strong>/);
    assert.equal(await quartiere.locator(`${item} .meta a`).textContent(), alice.name);
    assert.equal(
      await quartiere.evaluate(() => document.querySelector('[data-live-list="annotations"] > li')?.dataset.id),
      String(id),
      'the new annotation is first in the list',
    );
    assert.ok(await quartiere.isHidden('.annotations-block [data-live-badge]'), 'no "N nuovi" badge when the list is in view');
    if (await quartiere.isVisible('.annotations-block [data-live-empty]')) {
      problems.push('"Nessuna annotazione ancora." is still shown above the new live annotation ([data-live-empty] is not removed)');
    }
    // The screen-reader announcement: a polite live region, there before the news.
    const region = await quartiere.evaluate(() => {
      const r = document.getElementById('live-announcer');
      return r && { text: r.textContent, live: r.getAttribute('aria-live') };
    });
    assert.ok(region, '#live-announcer exists after the event');
    assert.equal(region.live, 'polite');
    assert.ok(region.text.includes(title) && /Nuova annotazione/.test(region.text), `announced: ${JSON.stringify(region.text)}`);
    assert.match((await map.locator('#live-announcer').textContent()) ?? '', new RegExp(title));
    if (regionBefore !== 'polite') {
      problems.push(
        `#live-announcer was not in the page before the first event (aria-live before: ${regionBefore}): ` +
          'a live region created together with its text is not reliably announced by screen readers',
      );
    }

    // A message in the discussion.
    const message = `Confermo, e anche il lampione è spento (${Date.now()})`;
    const postId = await sayByForm(a, message);
    const post = `[data-live-list="posts"] #post-${postId}`;
    await quartiere.waitForSelector(post, { timeout: LIVE_MS });
    assert.equal((await quartiere.locator(`${post} .user-text`).textContent()).trim(), message);
    assert.equal(await quartiere.locator(`${post} .meta a`).textContent(), alice.name);
    assert.equal(await quartiere.locator('#live-announcer').textContent(), 'Nuovo messaggio nella discussione');

    // Neither page was loaded again.
    assert.ok(await mapAlive(), 'the home map was not reloaded');
    assert.ok(await quartiereAlive(), 'the quartiere page was not reloaded');
    assert.equal(new URL(map.url()).pathname, '/');
    assert.equal(new URL(quartiere.url()).pathname, QUARTIERE);

    // What live.js drew is what the server draws.
    const fresh = await reader.newPage();
    await fresh.goto(`${env.url}/`);
    const served = await fresh.evaluate((selector) => {
      const c = document.querySelector(`${selector} circle`);
      return c && { cx: Number(c.getAttribute('cx')), cy: Number(c.getAttribute('cy')) };
    }, markerOf(id));
    assert.ok(served, 'a fresh home page has the marker too');
    assert.ok(Math.abs(served.cx - marker.cx) <= 0.11 && Math.abs(served.cy - marker.cy) <= 0.11, `live ${JSON.stringify(marker)} vs served ${JSON.stringify(served)}`);
    assert.ok(elapsed < LIVE_MS, `live within ${LIVE_MS} ms (${elapsed} ms)`);
    assert.deepEqual(problems, [], 'live.js shortcomings');
  } finally {
    await writer.close();
    await reader.close();
  }
});

// ---------------------------------------------------------------- 2. reconnection

/** Keep every WebSocket the page makes in window.__sockets (live.js does not expose its own). */
function recordSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
}

test('after the connection drops, the map catches up with what it missed (reconnect, since)', async () => {
  const reader = await newContext();
  try {
    await reader.addInitScript(recordSockets);
    const map = await reader.newPage();
    const sockets = await openLive(map, '/');
    const alive = await mark(map);

    // Offline, and the connection is gone; reconnection attempts fail.
    await reader.setOffline(true);
    await map.evaluate(() => window.__sockets.forEach((s) => s.close()));
    await until(() => sockets.closed >= 1, 'the socket closed');
    await until(() => sockets.opened >= 2 && sockets.closed >= 2, 'a reconnection attempt failed while offline', 10_000);

    const title = `Buca sul marciapiede di via Arcoveggio ${Date.now()}`;
    const id = await annotate(http.carlo, { title, body: 'Pericolosa di sera.' });
    await sleep(500);
    assert.equal(await map.locator(markerOf(id)).count(), 0, 'nothing arrives while offline');

    await reader.setOffline(false);
    const back = Date.now();
    await map.waitForSelector(markerOf(id), { state: 'attached', timeout: RECONNECT_MS });
    const waited = Date.now() - back;

    const resumed = sockets.sent.filter((f) => f.includes('"subscribe"')).map((f) => JSON.parse(f));
    assert.ok(resumed.length >= 2, `subscribed again: ${JSON.stringify(resumed)}`);
    const rendered = Number(await map.getAttribute('svg.map', 'data-live-since'));
    assert.equal(resumed[0].since, rendered, 'the first subscription starts from the event id the page was rendered at');
    assert.equal(typeof resumed.at(-1).since, 'number', `the new subscription resumes with since: ${JSON.stringify(resumed.at(-1))}`);
    assert.equal(await map.locator(markerOf(id)).count(), 1, 'one marker, not two');
    assert.equal(await map.getAttribute(markerOf(id), 'aria-label'), `Annotazione: ${title}`);
    assert.ok(await alive(), 'the page was not reloaded');
    assert.ok(waited < RECONNECT_MS, `back within ${RECONNECT_MS} ms (${waited} ms)`);
  } finally {
    await reader.close();
  }
});

// ---------------------------------------------------------------- 3. XSS

/**
 * Hostile inputs; each would call pwned(n) if it ever ran. Used as
 * annotation title and body, and as a reply in the discussion.
 */
const PAYLOADS = [
  '<script>pwned(1)</script>',
  '<img src=x onerror="pwned(2)">',
  '<svg onload="pwned(3)"><circle r=5 /></svg>',
  '[x](javascript:pwned(4))',
  '[x](data:text/html,<script>pwned(5)</script>)',
  '[x](data:text/html;base64,PHNjcmlwdD5wd25lZCg2KTwvc2NyaXB0Pg==)',
  '<a href="#" onclick="pwned(7)" onmouseover="pwned(7)" onfocus="pwned(7)" autofocus>click</a>',
  '<div tabindex=0 autofocus onfocus="pwned(8)" style="position:fixed;inset:0">x</div>',
  '[a](',
  '[b](javascript:pwned(10)',
  '> > > <script>pwned(11)</script>',
  '\u202Etxt.exe <img src=x onerror=pwned(12)>',
  '[x](java\u200Bscript:pwned(13))',
  '[x](&#106;avascript:pwned(14))',
  '[x](JaVaScRiPt:pwned(15)) [y]( javascript:pwned(15))',
  '![x](javascript:pwned(16))',
  '<iframe src="javascript:pwned(17)"></iframe>',
  '[ok](https://example.org/?q="onmouseover="pwned(18))',
  '[t](https://example.org "a\\" onmouseover=\\"pwned(19)")',
  '[r][x]\n\n[x]: javascript:pwned(20)',
  '<math><mtext><table><mglyph><style><img src=x onerror=pwned(21)>',
  '`<img src=x onerror=pwned(22)>` <https://example.org/"onmouseover="pwned(22)>',
  '&lt;img src=x onerror=pwned(23)&gt; &#x3C;script&#x3E;pwned(23)&#x3C;/script&#x3E;',
  '<b>x</b>',
];

/** What clean_title makes of a title: no controls or invisible characters, one-line, collapsed. */
function expectedTitle(text) {
  return text
    .replace(/[\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/\s/g, ' ')
    .replace(/[\p{Cc}]/gu, '')
    .normalize('NFC')
    .replace(/ +/g, ' ')
    .trim();
}

/** Before any page script: the pwned() trap and a record of CSP violations. */
function trap() {
  window.__xss = [];
  window.pwned = (x) => window.__xss.push(String(x));
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
}

/** Everything that would show an injection on the page as it is now. */
function inspectPage(page) {
  return page.evaluate(() => {
    const allowed = new Set(['P', 'BR', 'EM', 'STRONG', 'DEL', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'A']);
    const scheme = (value) => value.replace(/[\u0000-\u0020\u007F-\u009F\u200B-\u200D\u2060\uFEFF]/g, '').toLowerCase();
    const where = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} in ${el.closest('[id]')?.id ?? 'page'}`;
    const onAttributes = [];
    const badUrls = [];
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (attr.name.toLowerCase().startsWith('on')) onAttributes.push(`${where(el)} ${attr.name}="${attr.value}"`);
        // (In <head> the app's own <link rel="icon" href="data:,"> is fine.)
        const url = /^(href|xlink:href|src|action|formaction|srcdoc|data)$/i.test(attr.name);
        if (url && document.body.contains(el) && /^(javascript|data|vbscript):/.test(scheme(attr.value))) {
          badUrls.push(`${where(el)} ${attr.name}="${attr.value}"`);
        }
      }
    }
    const userText = [...document.querySelectorAll('.user-text')];
    const badTags = userText.flatMap((root) => [...root.querySelectorAll('*')].filter((el) => !allowed.has(el.tagName)).map((el) => `${el.tagName} in ${where(root.parentElement)}`));
    const badRel = userText.flatMap((root) =>
      [...root.querySelectorAll('a')]
        .filter((a) => !['nofollow', 'ugc', 'noopener'].every((r) => (a.getAttribute('rel') ?? '').split(/\s+/).includes(r)))
        .map((a) => a.outerHTML),
    );
    return {
      xss: window.__xss ?? ['trap missing'],
      csp: window.__csp ?? [],
      onAttributes,
      badUrls,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i], a[href^="data:" i]').length,
      badTags,
      scriptsInUserText: userText.reduce((n, root) => n + root.querySelectorAll('script').length, 0),
      badRel,
      userLinks: userText.reduce((n, root) => n + root.querySelectorAll('a').length, 0),
      foreignScripts: [...document.scripts].filter((s) => !/^\/static\/[\w.-]+\.js$/.test(s.getAttribute('src') ?? '')).map((s) => s.outerHTML.slice(0, 120)),
    };
  });
}

/** Assert a clean page; `messages` holds its CSP console messages and page errors. */
async function assertClean(page, what, messages = []) {
  const found = await inspectPage(page);
  const where = `${what} (${page.url()})`;
  assert.deepEqual(found.xss, [], `no payload ran on ${where}`);
  assert.deepEqual(found.onAttributes, [], `no on* attribute on ${where}`);
  assert.deepEqual(found.badUrls, [], `no javascript:/data:/vbscript: URL on ${where}`);
  assert.equal(found.jsLinks, 0, `no a[href^="javascript:"] or a[href^="data:"] on ${where}`);
  assert.equal(found.scriptsInUserText, 0, `no <script> in .user-text on ${where}`);
  assert.deepEqual(found.badTags, [], `only the documented tags in .user-text on ${where}`);
  assert.deepEqual(found.badRel, [], `every user link has rel="nofollow ugc noopener" on ${where}`);
  assert.deepEqual(found.foreignScripts, [], `only the app's own scripts on ${where}`);
  assert.deepEqual(found.csp, [], `no CSP violation event on ${where}`);
  assert.deepEqual(messages.splice(0), [], `no CSP console message or page error on ${where}`);
  return found;
}

/** A context with the trap; `csp: false` bypasses the page's CSP, so only the sanitizer stands. */
async function trappedContext(csp) {
  const context = await newContext({ bypassCSP: !csp });
  await context.addInitScript(trap);
  return context;
}

/** Collect CSP-related console messages and page errors of `page` into `sink`. */
function listen(page, sink) {
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) sink.push(m.text());
  });
  page.on('pageerror', (e) => sink.push(`page error: ${e.message}`));
  return page;
}

test('hostile titles, bodies, replies and names never run: received live and loaded fresh', async () => {
  const contexts = { csp: await trappedContext(true), nocsp: await trappedContext(false) };
  try {
    const parent = await say(http.mallory, 'Qui sotto le risposte di prova.');

    // Receivers: home map and quartiere page, with and without CSP.
    const receivers = [];
    for (const [kind, context] of Object.entries(contexts)) {
      for (const path of ['/', QUARTIERE]) {
        const messages = [];
        const page = listen(await context.newPage(), messages);
        await openLive(page, path);
        await page.evaluate(() => window.scrollTo(0, 0));
        receivers.push({ what: `live ${path} (${kind === 'csp' ? 'CSP' : 'CSP bypassed'})`, path, page, messages });
      }
    }

    const annotations = [];
    const replies = [];
    for (const [i, payload] of PAYLOADS.entries()) {
      annotations.push({ payload, id: await annotate(http.mallory, { title: payload, body: payload, point: i % 2 === 0 }) });
      replies.push({ payload, id: await say(http.mallory, payload, { parent }) });
    }
    const pointed = annotations.filter((_, i) => i % 2 === 0);

    // The detectors work: a canary injected by the test is caught, with CSP
    // (a violation) and without (it runs, and its markup is seen).
    for (const r of receivers.filter((x) => x.path === QUARTIERE)) {
      const seen = await r.page.evaluate(async () => {
        const box = document.createElement('div');
        box.className = 'user-text';
        box.innerHTML = '<img src="/nope.png" onerror="pwned(\'canary\')">';
        document.body.append(box);
        await new Promise((ok) => setTimeout(ok, 300));
        return { xss: [...window.__xss], csp: window.__csp.length };
      }).then(async ({ xss, csp }) => ({ xss, csp, found: await inspectPage(r.page) }));
      if (r.what.includes('bypassed')) assert.deepEqual(seen.xss, ['canary'], `the trap catches a canary on ${r.what}`);
      else assert.ok(seen.csp > 0 && seen.xss.length === 0, `CSP stops and reports a canary on ${r.what}: ${JSON.stringify(seen)}`);
      assert.ok(seen.found.onAttributes.length === 1 && seen.found.badTags.length === 1, `the canary's markup is seen: ${JSON.stringify(seen.found)}`);
      await r.page.evaluate(() => {
        document.querySelector('body > .user-text:last-child').remove();
        window.__xss.length = 0;
        window.__csp.length = 0;
      });
      r.messages.splice(0);
    }

    // Live: everything arrives, and nothing runs.
    for (const r of receivers) {
      if (r.path === '/') {
        await until(
          () => r.page.evaluate((ids) => ids.every((id) => document.querySelector(`[data-live-markers] a[data-id="${id}"]`)), pointed.map((a) => a.id)),
          `every marker on ${r.what}`,
        );
      } else {
        await until(
          () =>
            r.page.evaluate(
              ({ a, p, parentId }) =>
                a.every((id) => document.querySelector(`[data-live-list="annotations"] > li[data-id="${id}"]`)) &&
                p.every((id) => document.querySelector(`#post-${parentId} > ol > #post-${id}`)),
              { a: annotations.map((x) => x.id), p: replies.map((x) => x.id), parentId: parent },
            ),
          `every annotation and reply (under its parent) on ${r.what}`,
        );
      }
      await sleep(300); // let any injected image fail and any handler fire
      await assertClean(r.page, r.what, r.messages);
    }

    // What live.js inserted equals what the server renders.
    const live = receivers.find((r) => r.path === QUARTIERE).page;
    const liveMap = receivers.find((r) => r.path === '/').page;
    const messages = [];
    const fresh = listen(await contexts.csp.newPage(), messages);
    await fresh.goto(env.url + QUARTIERE);
    await assertClean(fresh, `fresh ${QUARTIERE} (CSP)`, messages);
    const shown = (page) =>
      page.evaluate(
        ({ a, p }) => ({
          annotations: a.map((id) => {
            const li = document.querySelector(`[data-live-list="annotations"] > li[data-id="${id}"]`);
            return li && { title: li.querySelector('h3 a').textContent, body: li.querySelector('.user-text').innerHTML.trim() };
          }),
          replies: p.map((id) => document.querySelector(`#post-${id} .user-text`)?.innerHTML.trim() ?? null),
        }),
        { a: annotations.map((x) => x.id), p: replies.map((x) => x.id) },
      );
    const [liveShown, freshShown] = [await shown(live), await shown(fresh)];
    assert.deepEqual(liveShown, freshShown, 'the live annotations and replies are the server-rendered ones');
    for (const [i, { payload }] of annotations.entries()) {
      assert.equal(freshShown.annotations[i].title, expectedTitle(payload), `title of payload ${i} shown as literal text`);
    }
    const bold = annotations.find((a) => a.payload === '<b>x</b>').id;
    for (const page of [live, fresh]) {
      assert.ok(await page.getByRole('link', { name: '<b>x</b>', exact: true }).first().isVisible(), 'the title "<b>x</b>" is visible as text');
      assert.equal(await page.locator('[data-live-list="annotations"] h3 b').count(), 0, 'no <b> element made from a title');
    }
    // The hostile display name is text too.
    assert.equal(await live.locator(`[data-live-list="annotations"] > li[data-id="${bold}"] .meta a`).textContent(), mallory.name);

    // The home map: markers' names carry the titles, as text.
    await fresh.goto(`${env.url}/`);
    await assertClean(fresh, 'fresh / (CSP)', messages);
    const labels = (page) => page.evaluate((ids) => ids.map((id) => document.querySelector(`[data-live-markers] a[data-id="${id}"]`)?.getAttribute('aria-label')), pointed.map((a) => a.id));
    const freshLabels = await labels(fresh);
    assert.deepEqual(await labels(liveMap), freshLabels, 'live and served markers have the same names');
    assert.deepEqual(freshLabels, pointed.map((a) => `Annotazione: ${expectedTitle(a.payload)}`));

    // Fresh loads of every page, CSP bypassed: the sanitizer alone.
    const bare = listen(await contexts.nocsp.newPage(), messages);
    for (const path of [QUARTIERE, '/']) {
      await bare.goto(env.url + path);
      await sleep(100);
      await assertClean(bare, `fresh ${path} (CSP bypassed)`, messages);
    }
    let links = 0;
    for (const { id, payload } of annotations) {
      const response = await bare.goto(`${env.url}/annotazioni/${id}`);
      assert.equal(response.status(), 200, `/annotazioni/${id}`);
      assert.equal(await bare.locator('h1').textContent(), expectedTitle(payload), `the h1 of /annotazioni/${id} is the literal title`);
      links += (await assertClean(bare, `/annotazioni/${id} (CSP bypassed)`, messages)).userLinks;
    }
    assert.ok(links > 0, 'some payloads became real links, and their rel was checked');
  } finally {
    await contexts.csp.close();
    await contexts.nocsp.close();
  }
});

// ---------------------------------------------------------------- 4. accessibility

test('axe: quartiere (with live insertions), annotation page, /notifiche and /seguiti have no violations', async (t) => {
  // Content of its own: Alice follows Navile and writes; Carlo annotates and answers her.
  const followed = await send(http.alice, '/seguiti', { subject: 'area:q2016-navile', digest: 'weekly' });
  assert.equal(followed.status, 303, `follow: ${followed.status} ${followed.text.slice(0, 200)}`);
  const hers = await say(http.alice, 'Qualcuno sa gli orari dello sportello sociale?');
  const annotation = await annotate(http.carlo, { title: 'Sportello sociale di via Gorki', body: 'Aperto il martedì e il giovedì, [orari](https://www.comune.bologna.it/).' });
  await say(http.carlo, 'Ottima segnalazione.', { subject: `annotation/${annotation}` });
  const reply = await say(http.carlo, 'Il martedì dalle 9 alle 13.', { parent: hers });

  const context = await newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await logInPage(page, env.url, alice);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await t.test('/quartieri/navile, with annotations and posts, then live insertions', async () => {
      await openLive(page, QUARTIERE);
      assert.ok((await page.locator('[data-live-list="annotations"] > li').count()) > 0, 'annotations shown');
      assert.ok((await page.locator('[data-live-list="posts"] li').count()) > 0, 'posts shown');
      assert.equal(await axeViolations(page), '', 'axe on the quartiere page');
      const id = await annotate(http.carlo, { title: 'Nuova rastrelliera per le bici', body: 'Davanti al *centro civico*.' });
      const post = await say(http.carlo, 'Arrivata anche la rastrelliera.', { parent: hers });
      await page.waitForSelector(`[data-live-list="annotations"] > li[data-id="${id}"]`, { timeout: LIVE_MS });
      await page.waitForSelector(`#post-${post}`, { timeout: LIVE_MS });
      assert.equal(await axeViolations(page), '', 'axe on the quartiere page after live insertions');
    });

    await t.test(`/annotazioni/${annotation}, with its discussion`, async () => {
      await page.goto(`${env.url}/annotazioni/${annotation}`);
      assert.ok((await page.locator('[data-live-list="posts"] li').count()) > 0, 'a discussion shown');
      assert.equal(await axeViolations(page), '', 'axe on the annotation page');
    });

    await t.test('the report form, reached from the annotation, its refusal and its receipt', async () => {
      await page.goto(`${env.url}/annotazioni/${annotation}`);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/segnala'),
        page.click(`a[href="/segnala?cosa=annotation&id=${annotation}"]`),
      ]);
      assert.equal(await axeViolations(page), '', 'axe on the report form');
      // Past the browser's own check, the server names the field.
      await page.locator('input[name=reason]').evaluateAll((inputs) => inputs.forEach((i) => i.removeAttribute('required')));
      await Promise.all([page.waitForNavigation(), page.click('form[action="/segnala"] button[type=submit]')]);
      assert.ok((await page.locator('.error-summary a[href="#field-reason"]').count()) > 0, 'the summary links the reason');
      assert.equal(await axeViolations(page), '', 'axe on the refused report form');
      await page.check('#field-reason');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/segnala"] button[type=submit]')]);
      assert.match(await page.locator('h1').innerText(), /Segnalazione ricevuta|Report received/);
      assert.equal(await axeViolations(page), '', 'axe on the receipt');
    });

    await t.test('the public moderation log, with the hold three reports caused', async () => {
      const reported = await annotate(http.carlo, { title: 'Da segnalare', body: 'Un testo che tre persone segnalano.' });
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${env.url}/api/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target: { kind: 'annotation', id: reported }, reason: 'spam' }),
        });
        assert.equal(r.status, 201, `report ${i}: ${r.status} ${await r.text()}`);
      }
      await page.goto(`${env.url}/moderazione/registro`);
      assert.ok((await page.locator('table.log tbody tr').count()) > 0, 'the hold is logged');
      assert.match(await page.locator('h1').innerText(), /Registro della moderazione|Moderation log/);
      assert.equal(await axeViolations(page), '', 'axe on the public moderation log');
    });

    await t.test('a held annotation tells its author what the screen found', async () => {
      const held = await annotate(http.alice, { title: 'Una persona da aiutare', body: 'Il suo codice fiscale è RSSMRA85T10A562S.' });
      await page.goto(`${env.url}/annotazioni/${held}`);
      assert.ok((await page.locator('.notice.held .held-for li').count()) > 0, 'what the screen found is listed');
      assert.equal(await axeViolations(page), '', 'axe on a held annotation');
    });

    await t.test('/notifiche', async () => {
      await page.goto(`${env.url}/notifiche`);
      const links = await page.locator('ul.notifications a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.ok(links.includes(`/annotazioni/${annotation}`), `a notification of Carlo's annotation: ${JSON.stringify(links)}`);
      assert.equal(await axeViolations(page), '', 'axe on /notifiche');
      // A reply is notified with a link to the reply itself.
      const toPosts = links.filter((href) => href.includes('#post-'));
      assert.ok(toPosts.length > 0, `notifications of posts: ${JSON.stringify(links)}`);
      assert.ok(links.includes(`${QUARTIERE}#post-${reply}`), `the reply's notification links to #post-${reply}: ${JSON.stringify(links)}`);
      for (const href of toPosts) assert.match(href, /#post-\d+$/, 'a notification link names its post');
    });

    await t.test('/seguiti', async () => {
      await page.goto(`${env.url}/seguiti`);
      assert.ok((await page.locator('ul.follows li').count()) > 0, 'a followed item');
      assert.equal(await axeViolations(page), '', 'axe on /seguiti');
    });

    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});
