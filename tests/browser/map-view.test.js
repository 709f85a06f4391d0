// 1. The home map: 6 areas and a legend; changing dataset, variable,
// measure and boundaries in the form (JS on) swaps the view without a page
// load, the URL follows, and map, legend, table and API agree.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  checkMapAgainstApi,
  checkTableAgainstApi,
  choose,
  formatNumber,
  mark,
  observations,
  readMap,
  setUp,
} from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

const SAN_DONATO = 'San Donato-San Vitale';

function query(page) {
  return Object.fromEntries(new URL(page.url()).searchParams);
}

test('the default map: 6 quartieri, 5 classes, per 1,000 residents as the API computes them', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  const shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'per_1000', boundaries: '2016' },
    'it',
  );
  assert.equal(shown.areas.length, 6);
  assert.equal(shown.legend.length, 6, 'five classes and "dato non disponibile"');
  assert.match(shown.h1, /^Interventi erogati: Totale interventi, per 1\.000 residenti, 2014, 6 quartieri/);
  const api = await observations(env.url, { dataset: 'interventi', variable: 'totale', boundaries: '2016' });
  const sanDonato = shown.areas.find((a) => a.name === SAN_DONATO);
  assert.equal(sanDonato.value, `${formatNumber(api.get(SAN_DONATO).per_1000, 1, 'it')} per 1.000 residenti`);
  assert.equal(sanDonato.value, '102,5 per 1.000 residenti');
  await context.close();
});

test('dataset, variable, measure and boundaries change the view in place, consistently with the API', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  let same = await mark(page);

  // Measure: counts. San Donato-San Vitale received 8,149 services.
  await choose(page, 'measure', 'count');
  assert.ok(await same(), 'the view changed without a full page load');
  assert.equal(query(page).measure, 'count', `the URL follows: ${page.url()}`);
  let shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'count', boundaries: '2016' },
    'it',
  );
  const api = await observations(env.url, { dataset: 'interventi', variable: 'totale', boundaries: '2016' });
  assert.equal(api.get(SAN_DONATO).value, 8149);
  assert.equal(shown.areas.find((a) => a.name === SAN_DONATO).value, '8.149 interventi');
  assert.match(shown.title, /valori assoluti/);

  // The table of this view, through its link, has the same numbers.
  await page.click('#view a[href^="/tabella?"]');
  await page.waitForURL(/\/tabella\?/);
  assert.equal(new URL(page.url()).searchParams.get('measure'), 'count');
  const table = await checkTableAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'count', boundaries: '2016' },
    'it',
  );
  assert.deepEqual(table.find((r) => r.name === SAN_DONATO).cells.slice(0, 2), ['8.149', '8.149']);
  assert.equal(await page.locator('table caption').textContent(), shown.h1);
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('svg.map'));
  assert.equal((await readMap(page)).title, shown.title, 'Back from the table returns to the same view');
  same = await mark(page);

  // Dataset: PAI. The variable list becomes PAI's.
  await choose(page, 'dataset', 'pai');
  assert.ok(await same(), 'dataset change without a page load');
  assert.equal(query(page).dataset, 'pai');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'pai', variable: 'totale', measure: 'count', boundaries: '2016' },
    'it',
  );
  assert.match(shown.h1, /^Programmi Assistenziali Individualizzati \(PAI\) aperti: /);
  const variables = await page.$$eval('form.controls select[name="variable"] option', (o) => o.map((x) => x.value));
  assert.ok(variables.includes('stato-chiuso'), `PAI's variables are offered: ${variables}`);
  assert.ok(!variables.includes('bisogno-pronto-intervento'), `no Interventi-only variable is offered: ${variables}`);
  assert.equal(shown.form.dataset, 'pai');
  assert.equal(shown.form.variable, 'totale');

  // Variable: women, then Sportelli Sociali's contacts by telephone.
  await choose(page, 'variable', 'donne');
  assert.equal(query(page).variable, 'donne');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'pai', variable: 'donne', measure: 'count', boundaries: '2016' },
    'it',
  );
  assert.match(shown.h1, /: Donne, valori assoluti,/);
  await choose(page, 'dataset', 'sportelli-sociali');
  await choose(page, 'variable', 'canale-telefono');
  assert.deepEqual(
    [query(page).dataset, query(page).variable],
    ['sportelli-sociali', 'canale-telefono'],
  );
  await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'sportelli-sociali', variable: 'canale-telefono', measure: 'count', boundaries: '2016' },
    'it',
  );

  // Measure: share of the city total.
  await choose(page, 'measure', 'share');
  assert.equal(query(page).measure, 'share');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'sportelli-sociali', variable: 'canale-telefono', measure: 'share', boundaries: '2016' },
    'it',
  );
  assert.ok(shown.areas.every((a) => / del totale cittadino$/.test(a.value)), JSON.stringify(shown.areas));

  // Boundaries: the 9 quartieri of 2014.
  await choose(page, 'boundaries', '2014');
  assert.equal(query(page).boundaries, '2014');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'sportelli-sociali', variable: 'canale-telefono', measure: 'share', boundaries: '2014' },
    'it',
  );
  assert.equal(shown.areas.length, 9);
  assert.match(shown.h1, /9 quartieri \(fino al 2016\)$/);
  assert.ok(shown.areas.every((a) => a.href.startsWith('/quartieri/2014/')), 'areas link to the 2014 pages');

  // Back to Interventi per 1,000 on 2014: per_1000 rounded to one decimal.
  await choose(page, 'dataset', 'interventi');
  await choose(page, 'measure', 'per_1000');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'per_1000', boundaries: '2014' },
    'it',
  );
  const api2014 = await observations(env.url, { dataset: 'interventi', variable: 'totale', boundaries: '2014' });
  const navile = shown.areas.find((a) => a.name === 'Navile');
  assert.equal(navile.value, `${formatNumber(Math.round(api2014.get('Navile').per_1000 * 10) / 10, 1, 'it')} per 1.000 residenti`);
  assert.ok(await same(), 'every change happened in the same page');
  assert.deepEqual(
    Object.fromEntries(['dataset', 'variable', 'measure', 'boundaries'].map((k) => [k, query(page)[k]])),
    { dataset: 'interventi', variable: 'totale', measure: 'per_1000', boundaries: '2014' },
  );

  // The language switch follows the view: English, same view.
  await Promise.all([page.waitForURL(/lang=en/), page.click('header a[hreflang="en"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'per_1000', boundaries: '2014' },
    'en',
  );
  assert.match(shown.h1, /^Services delivered \(Interventi\): Total services, per 1,000 residents, 2014, 9 quartieri \(until 2016\)$/);
  await context.close();
});

test('in English the same numbers are written the English way', async () => {
  const context = await env.browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  let same = await mark(page);
  await choose(page, 'measure', 'count');
  assert.ok(await same());
  const shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'interventi', variable: 'totale', measure: 'count', boundaries: '2016' },
    'en',
  );
  assert.equal(shown.areas.find((a) => a.name === SAN_DONATO).value, '8,149 services');
  assert.match(shown.h1, /^Services delivered \(Interventi\): Total services, counts, 2014, 6 quartieri \(since 2016\)$/);
  await context.close();
});
