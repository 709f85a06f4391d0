// 2. Every view is a permalink: opened in a fresh browser context it shows
// the same title and fills. Back and Forward restore views reached with
// JS (title, URL, map and the form's choices) without a page load.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { choose, mark, readMap, setUp } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

const fills = (shown) => Object.fromEntries(shown.areas.map((a) => [a.name, a.fill]));

async function snapshot(page) {
  const shown = await readMap(page);
  return { ...shown, fills: fills(shown) };
}

async function waitForTitle(page, title) {
  await page.waitForFunction((t) => document.title === t && !document.querySelector('#view[aria-busy]'), title, {
    timeout: 15_000,
  });
}

function expectSame(actual, expected, what) {
  assert.equal(actual.title, expected.title, `${what}: title`);
  assert.equal(actual.h1, expected.h1, `${what}: heading`);
  assert.equal(actual.url, expected.url, `${what}: URL`);
  assert.deepEqual(actual.fills, expected.fills, `${what}: fills`);
  assert.deepEqual(actual.legend, expected.legend, `${what}: legend`);
  assert.deepEqual(actual.form, expected.form, `${what}: the form's choices`);
}

test('a permalink reproduces the view in a fresh context; Back/Forward restore JS-driven views', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  const same = await mark(page);
  const s0 = await snapshot(page);

  await choose(page, 'measure', 'count');
  const s1 = await snapshot(page);
  await choose(page, 'boundaries', '2014');
  const s2 = await snapshot(page);
  // Three different views: titles, URLs, fills and number of areas.
  assert.equal(new Set([s0.title, s1.title, s2.title]).size, 3);
  assert.equal(new Set([s0.url, s1.url, s2.url]).size, 3);
  assert.notDeepEqual(s0.fills, s1.fills, 'per 1,000 and counts do not colour the same areas alike');
  assert.equal(s2.areas.length, 9);
  assert.equal(s2.form.boundaries, '2014');

  // The permalink of the view, and the URL the page shows, in a fresh context.
  const permalink = await page.getAttribute('#view .links a[href^="/?"]', 'href');
  assert.match(permalink, /boundaries=2014/);
  assert.match(permalink, /measure=count/);
  for (const link of [env.url + permalink, s2.url]) {
    const fresh = await env.browser.newContext({ locale: 'it-IT' });
    const other = await fresh.newPage();
    await other.goto(link);
    const shown = await snapshot(other);
    assert.equal(shown.title, s2.title, `${link}: title`);
    assert.deepEqual(shown.fills, s2.fills, `${link}: fills`);
    assert.deepEqual(shown.legend, s2.legend, `${link}: legend`);
    assert.deepEqual(shown.form, s2.form, `${link}: form`);
    await fresh.close();
  }

  // Back, Back, Forward, Forward.
  await page.goBack();
  await waitForTitle(page, s1.title);
  expectSame(await snapshot(page), s1, 'Back once');
  await page.goBack();
  await waitForTitle(page, s0.title);
  expectSame(await snapshot(page), s0, 'Back twice');
  await page.goForward();
  await waitForTitle(page, s1.title);
  expectSame(await snapshot(page), s1, 'Forward once');
  await page.goForward();
  await waitForTitle(page, s2.title);
  expectSame(await snapshot(page), s2, 'Forward twice');
  assert.ok(await same(), 'history moves did not reload the page');

  // A view restored by Back is live: its tooltip shows its own numbers.
  await page.goBack();
  await waitForTitle(page, s1.title);
  await page.focus('svg.map a[data-name="Navile"]');
  const tip = await page.textContent('.tooltip');
  assert.equal(tip, `Navile: ${s1.areas.find((a) => a.name === 'Navile').value}`);
  await context.close();
});
