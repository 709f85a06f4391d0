// 7. The table sorts: with JS a header click reorders the rows in place
// (ascending, then descending, announced with aria-sort); without JS each
// header is a link to the table sorted by that column.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { mark, observations, parseNumber, readTable, setUp } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

const VIEW = { dataset: 'interventi', variable: 'totale', boundaries: '2016' };
/** Table columns after the name: the API field each one shows (measure count). */
const COLUMNS = ['value', 'value', 'population', 'per_1000', 'share'];

/** Area names ordered by an API field (ties by name). */
async function orderBy(field, descending = false) {
  const rows = [...(await observations(env.url, VIEW)).values()];
  rows.sort((a, b) => a[field] - b[field] || a.area_name.localeCompare(b.area_name));
  if (descending) rows.reverse();
  return rows.map((r) => r.area_name);
}

const names = (table) => table.map((r) => r.name);

test('with JS, clicking a header sorts the rows by its values, then reverses them', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/tabella?measure=count`);
  const same = await mark(page);
  const initial = await readTable(page);
  assert.equal(initial.length, 6);
  const headers = page.locator('table[data-sortable] thead th');
  assert.equal(await headers.count(), 6);
  assert.equal(await page.locator('table[data-sortable] thead th a').count(), 0, 'links became buttons');
  assert.equal(await page.locator('table[data-sortable] thead th button').count(), 6);

  // Population ascending, then descending.
  await page.click('table[data-sortable] thead th:nth-child(4) button');
  let table = await readTable(page);
  assert.equal(await headers.nth(3).getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(names(table), await orderBy('population'));
  const population = table.map((r) => parseNumber(r.cells[2], 'it'));
  assert.deepEqual(population, [...population].sort((a, b) => a - b), `population ascending: ${population}`);
  assert.deepEqual(population, [50010, 59391, 60307, 67800, 68902, 79481]);
  await page.click('table[data-sortable] thead th:nth-child(4) button');
  table = await readTable(page);
  assert.equal(await headers.nth(3).getAttribute('aria-sort'), 'descending');
  assert.deepEqual(names(table), await orderBy('population', true));

  // Every numeric column, by the numbers the API gives.
  for (const [index, field] of COLUMNS.entries()) {
    const th = headers.nth(index + 1);
    await th.locator('button').click();
    if ((await th.getAttribute('aria-sort')) !== 'ascending') await th.locator('button').click();
    assert.equal(await th.getAttribute('aria-sort'), 'ascending');
    assert.equal(await page.locator('table[data-sortable] th[aria-sort]').count(), 1, 'one sorted column at a time');
    const sorted = await readTable(page);
    assert.deepEqual(names(sorted), await orderBy(field), `column ${index + 1} (${field}) ascending`);
    const numbers = sorted.map((r) => parseNumber(r.cells[index], 'it'));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), `column ${index + 1} shows ascending numbers: ${numbers}`);
  }

  // By name, then back to the largest count first.
  await page.click('table[data-sortable] thead th:nth-child(1) button');
  assert.deepEqual(names(await readTable(page)), names(initial).slice().sort((a, b) => a.localeCompare(b)));
  await page.click('table[data-sortable] thead th:nth-child(3) button');
  await page.click('table[data-sortable] thead th:nth-child(3) button');
  table = await readTable(page);
  assert.equal(table[0].name, 'San Donato-San Vitale');
  assert.equal(table[0].cells[1], '8.149');
  assert.ok(await same(), 'sorting did not load a page');
  // The buttons are reachable and work from the keyboard.
  await page.focus('table[data-sortable] thead th:nth-child(5) button');
  await page.keyboard.press('Enter');
  assert.equal(await headers.nth(4).getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(names(await readTable(page)), await orderBy('per_1000'));
  await context.close();
});

test('without JS, the header links load the table sorted by that column', async (t) => {
  const context = await env.browser.newContext({ locale: 'en-US', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.url}/tabella?measure=count`);
  const links = page.locator('table[data-sortable] thead th a');
  assert.equal(await links.count(), 6, 'every header is a link');

  const sortBy = async (column) => {
    await Promise.all([
      page.waitForURL(new RegExp(`[?&]sort=${column}(&|$)`)),
      page.click(`table[data-sortable] thead th:nth-child(${column + 1}) a`),
    ]);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/tabella');
    assert.equal(url.searchParams.get('measure'), 'count', 'the view is kept');
    return readTable(page);
  };

  const byName = await sortBy(0);
  assert.deepEqual(names(byName), names(byName).slice().sort());
  for (const [index, field] of COLUMNS.entries()) {
    const column = index + 1;
    const check = async () => {
      const table = await sortBy(column);
      assert.deepEqual(names(table), await orderBy(field), `sort=${column} (${field}) ascending`);
      const numbers = table.map((r) => parseNumber(r.cells[index], 'en'));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), `column ${column} ascending: ${numbers}`);
    };
    await t.test(`sort=${column} (${field})`, check);
  }
  const table = await sortBy(2);
  assert.equal(table[5].name, 'San Donato-San Vitale');
  assert.equal(table[5].cells[1], '8,149');
  await context.close();
});
