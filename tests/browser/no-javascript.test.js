// 3. Without JavaScript every control still works: the form is a GET form,
// so submitting it loads the chosen view (title, URL, map, table).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { checkMapAgainstApi, checkTableAgainstApi, readMap, setUp } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

test('without JavaScript, submitting the map form loads the chosen view', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  // app.js records each view in history.state: nothing there means it did not run.
  assert.equal(await page.evaluate(() => history.state), null, 'the page script did not run');
  const before = await readMap(page);
  assert.equal(before.areas.length, 6);

  await page.selectOption('select[name="dataset"]', 'pai');
  await page.selectOption('select[name="measure"]', 'count');
  await page.selectOption('select[name="boundaries"]', '2014');
  // Selecting alone does nothing without JS.
  assert.equal(await page.title(), before.title);
  await Promise.all([page.waitForURL(/boundaries=2014/), page.click('form.controls button[type="submit"]')]);

  const url = new URL(page.url());
  assert.equal(url.pathname, '/');
  assert.equal(url.searchParams.get('dataset'), 'pai');
  assert.equal(url.searchParams.get('measure'), 'count');
  assert.equal(url.searchParams.get('boundaries'), '2014');
  const title = await page.title();
  assert.notEqual(title, before.title);
  assert.match(title, /^Programmi Assistenziali Individualizzati \(PAI\) aperti: Totale PAI, valori assoluti, 2014, 9 quartieri/);
  const shown = await checkMapAgainstApi(
    page,
    env.url,
    { dataset: 'pai', variable: 'totale', measure: 'count', boundaries: '2014' },
    'it',
  );
  assert.equal(shown.areas.length, 9);
  // The form shows the choices of the page it is on, with PAI's variables.
  assert.deepEqual(
    [shown.form.dataset, shown.form.measure, shown.form.boundaries],
    ['pai', 'count', '2014'],
  );
  assert.ok(
    await page.$('select[name="variable"] option[value="stato-chiuso"]'),
    "PAI's variables are offered after the reload",
  );
  await context.close();
});

test('without JavaScript, the table form stays on the table', async () => {
  const context = await env.browser.newContext({ locale: 'en-US', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.url}/tabella`);
  await page.selectOption('select[name="measure"]', 'share');
  await page.selectOption('select[name="dataset"]', 'sportelli-sociali');
  await Promise.all([page.waitForURL(/measure=share/), page.click('form.controls button[type="submit"]')]);
  assert.equal(new URL(page.url()).pathname, '/tabella');
  assert.match(await page.textContent('table caption'), /^Social desks \(Sportelli Sociali\): contacts received: Total contacts, share of the city total, 2014, 6 quartieri/);
  await checkTableAgainstApi(
    page,
    env.url,
    { dataset: 'sportelli-sociali', variable: 'totale', measure: 'share', boundaries: '2016' },
    'en',
  );
  await context.close();
});
