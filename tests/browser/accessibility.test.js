// 5. axe-core finds no WCAG 2.0/2.1 A and AA violation on any page, in
// Italian and in English (the language negotiated from the browser's
// locale), with JavaScript on (the table's sort buttons, the tooltip).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { runAxe, setUp, WCAG_TAGS } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

const PAGES = [
  ['home', '/'],
  ['home, 2014 counts', '/?measure=count&boundaries=2014'],
  ['quartiere 2016', '/quartieri/san-donato-san-vitale'],
  ['quartiere 2014', '/quartieri/2014/navile'],
  ['dataset', '/datasets/interventi'],
  ['table', '/tabella'],
  ['embed', '/embed'],
  ['datasets index', '/datasets'],
];


for (const [locale, lang] of [
  ['it-IT', 'it'],
  ['en-US', 'en'],
]) {
  test(`no axe violations (${WCAG_TAGS.join(', ')}) in ${locale}`, async (t) => {
    // The pages' CSP allows only same-origin scripts; axe is injected inline.
    const context = await env.browser.newContext({ locale, bypassCSP: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [name, path] of PAGES) {
      await t.test(`${name} (${path})`, async () => {
        const response = await page.goto(env.url + path);
        assert.equal(response.status(), 200, `${path} answers 200`);
        assert.equal(await page.getAttribute('html', 'lang'), lang, `${path} is in ${lang}`);
        const axe = await runAxe(page);
        assert.ok(axe.rulesRun > 10, 'axe ran its rules');
        assert.equal(axe.violations, 0, `axe on ${path} (${locale}):\n${axe.report}`);
        assert.deepEqual(errors, [], `no script errors on ${path}`);
      });
    }
    await context.close();
  });
}

test('the tooltip shown on focus passes axe too', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  await page.focus('svg.map a[data-name="Navile"]');
  assert.ok(await page.isVisible('.tooltip'));
  const axe = await runAxe(page);
  assert.ok(axe.rulesRun > 10, 'axe ran its rules');
  assert.equal(axe.violations, 0, axe.report);
  await context.close();
});
