// 4. Hovering an area, or reaching it with the keyboard, shows a tooltip
// with its name and value; leaving it hides the tooltip.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { choose, readMap, setUp } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

/** A point in page coordinates that lies inside the area's shape (not only its box). */
async function pointInside(page, name) {
  const point = await page.evaluate((n) => {
    const path = document.querySelector(`svg.map a[data-name="${n}"] path`);
    const box = path.getBBox();
    const matrix = path.getScreenCTM();
    // Scan a grid over the bounding box for a point inside the fill and on
    // top (labels do not catch the pointer).
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const p = new DOMPoint(box.x + (box.width * i) / 20, box.y + (box.height * j) / 20);
        if (!path.isPointInFill(p)) continue;
        const screen = p.matrixTransform(matrix);
        if (document.elementFromPoint(screen.x, screen.y) === path) return { x: screen.x, y: screen.y };
      }
    }
    return null;
  }, name);
  assert.ok(point, `found a point inside ${name}`);
  return point;
}

function tooltip(page) {
  return page.evaluate(() => {
    const tip = document.querySelector('.tooltip');
    if (!tip) return null;
    const box = tip.getBoundingClientRect();
    return {
      text: tip.textContent,
      visible: !tip.hidden && box.width > 0 && getComputedStyle(tip).display !== 'none',
      box: { x: box.x, y: box.y, right: box.right, bottom: box.bottom },
      viewport: { width: innerWidth, height: innerHeight },
    };
  });
}

test('hover shows the name and value of the area under the pointer', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  const shown = await readMap(page);
  assert.equal(shown.areas.length, 6);
  for (const area of shown.areas) {
    const { x, y } = await pointInside(page, area.name);
    await page.mouse.move(x, y);
    const tip = await tooltip(page);
    assert.ok(tip?.visible, `a tooltip over ${area.name}`);
    assert.equal(tip.text, `${area.name}: ${area.value}`);
    assert.match(tip.text, /^[^:]+: [\d.]+,\d per 1\.000 residenti$/);
    assert.ok(tip.box.x >= 0 && tip.box.right <= tip.viewport.width, `the tooltip is inside the window: ${JSON.stringify(tip)}`);
    assert.ok(Math.abs(tip.box.y - (y + 12)) < 2, `the tooltip follows the pointer: ${JSON.stringify(tip)} for y=${y}`);
  }
  // Off the map: hidden.
  await page.mouse.move(5, 5);
  assert.equal((await tooltip(page)).visible, false, 'the tooltip hides when the pointer leaves');

  // After a JS view change the new areas have tooltips with the new values.
  await choose(page, 'measure', 'count');
  const { x, y } = await pointInside(page, 'San Donato-San Vitale');
  await page.mouse.move(x, y);
  const tip = await tooltip(page);
  assert.ok(tip.visible);
  assert.equal(tip.text, 'San Donato-San Vitale: 8.149 interventi');
  await context.close();
});

test('keyboard focus shows the tooltip of the focused area', async () => {
  const context = await env.browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${env.url}/?measure=count`);
  const shown = await readMap(page);
  // Tab from the top of the page until the first area has focus.
  let focused = null;
  for (let i = 0; i < 40 && !focused; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.closest?.('svg.map a[data-name]')?.dataset.name ?? null);
  }
  assert.equal(focused, shown.areas[0].name, 'Tab reaches the first area of the map');
  // Every area in turn, in document order.
  for (const area of shown.areas) {
    const name = await page.evaluate(() => document.activeElement.dataset.name);
    assert.equal(name, area.name);
    const tip = await tooltip(page);
    assert.ok(tip?.visible, `a tooltip on focus of ${area.name}`);
    assert.equal(tip.text, `${area.name}: ${area.value}`);
    assert.match(tip.text, /: [\d,]+ services$/);
    assert.ok(
      tip.box.x >= 0 && tip.box.right <= tip.viewport.width && tip.box.y >= 0 && tip.box.bottom <= tip.viewport.height,
      `the tooltip of ${area.name} is inside the window: ${JSON.stringify(tip)}`,
    );
    await page.keyboard.press('Tab');
  }
  // Focus has left the map: hidden.
  const after = await page.evaluate(() => document.activeElement?.closest?.('svg.map') !== null);
  assert.equal(after, false, 'focus left the map');
  assert.equal((await tooltip(page)).visible, false, 'the tooltip hides on blur');
  await context.close();
});

test('the embed has the same tooltips', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/embed?measure=count&boundaries=2014`);
  const shown = await readMap(page);
  assert.equal(shown.areas.length, 9);
  const { x, y } = await pointInside(page, 'Navile');
  await page.mouse.move(x, y);
  const tip = await tooltip(page);
  assert.ok(tip.visible);
  assert.equal(tip.text, `Navile: ${shown.areas.find((a) => a.name === 'Navile').value}`);
  assert.equal(tip.text, 'Navile: 7.974 interventi');
  await context.close();
});
