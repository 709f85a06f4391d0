// Open Welfare Bologna: progressive enhancement of the map pages.
// Without this file every control still works (a GET form, links).
// With it: views update without a full reload, the URL follows,
// Back/Forward restore views, areas show a tooltip on hover and focus,
// and tables sort on a header click.

const VIEW = '#view';

function tooltip() {
  let tip = document.querySelector('.tooltip');
  if (!tip) {
    tip = document.createElement('div');
    tip.className = 'tooltip';
    tip.setAttribute('role', 'status');
    tip.hidden = true;
    document.body.append(tip);
  }
  return tip;
}

function showTip(area, x, y) {
  const tip = tooltip();
  tip.textContent = `${area.dataset.name}: ${area.dataset.value}`;
  tip.hidden = false;
  tip.style.left = `${Math.min(x + 12, window.innerWidth - tip.offsetWidth - 8)}px`;
  tip.style.top = `${y + 12}px`;
}

function hideTip() {
  tooltip().hidden = true;
}

function wireMap(root) {
  for (const area of root.querySelectorAll('.map a[data-name]')) {
    area.addEventListener('mousemove', (e) => showTip(area, e.clientX, e.clientY));
    area.addEventListener('mouseleave', hideTip);
    area.addEventListener('focus', () => {
      const box = area.getBoundingClientRect();
      showTip(area, box.left + box.width / 2, box.top + box.height / 2);
    });
    area.addEventListener('blur', hideTip);
  }
}

// The form and the language switch live outside #view: after a swap they
// must describe the view now shown (the variables of its dataset, the
// choices of a view restored by Back/Forward, the same view in the other
// language).
function syncOutside(page) {
  const form = document.querySelector('form.controls');
  const fresh = page.querySelector('form.controls');
  if (form && fresh) {
    for (const select of fresh.querySelectorAll('select')) {
      const current = form.querySelector(`select[name="${select.name}"]`);
      if (!current) continue;
      const value = select.value;
      current.replaceChildren(...select.childNodes);
      current.value = value;
    }
  }
  for (const link of page.querySelectorAll('a[hreflang]')) {
    const current = document.querySelector(`a[hreflang="${link.getAttribute('hreflang')}"]`);
    if (current) current.setAttribute('href', link.getAttribute('href'));
  }
}

let latest = 0;

async function load(url, push) {
  const ticket = ++latest;
  const view = document.querySelector(VIEW);
  view.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(url, { headers: { Accept: 'text/html' } });
    if (!response.ok) throw new Error(response.status);
    const text = await response.text();
    if (ticket !== latest) return; // a later choice is on its way
    const page = new DOMParser().parseFromString(text, 'text/html');
    const fresh = page.querySelector(VIEW);
    if (!fresh) throw new Error('no view');
    document.querySelector(VIEW).replaceWith(fresh);
    syncOutside(page);
    document.title = page.title;
    if (push) history.pushState({ url }, '', url);
    wire(fresh);
  } catch (error) {
    if (ticket === latest) window.location.href = url; // fall back to a normal page load
  } finally {
    if (ticket === latest) document.querySelector(VIEW)?.removeAttribute('aria-busy');
  }
}

function wireForm(root) {
  const form = root.querySelector('form.controls');
  if (!form) return;
  const go = () => {
    const params = new URLSearchParams(new FormData(form));
    const url = `${form.getAttribute('action') || location.pathname}?${params}`;
    load(url, true);
  };
  form.addEventListener('change', go);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go();
  });
}

function wireTables(root) {
  for (const table of root.querySelectorAll('table[data-sortable]')) {
    table.querySelectorAll('th[data-key]').forEach((th, index) => {
      const link = th.querySelector('a');
      if (!link) return;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = link.textContent;
      link.replaceWith(button);
      button.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        const body = table.tBodies[0];
        const rows = [...body.rows];
        const key = (row) => {
          const cell = row.cells[index];
          const raw = cell.dataset.sort ?? cell.textContent;
          const n = Number(raw);
          return raw !== '' && !Number.isNaN(n) ? n : raw;
        };
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        body.append(...rows);
      });
    });
  }
}

function wire(root) {
  wireMap(root);
  wireForm(root);
  wireTables(root);
}

window.addEventListener('popstate', () => load(location.href, false));
history.replaceState({ url: location.href }, '', location.href);
wire(document);
