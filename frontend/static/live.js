// Open Welfare Bologna: live updates. One websocket (/ws) subscribed to the
// topics of the page: `map` for the markers, `area:<code>` and
// `thread:<id>` for the lists marked `data-live-list`, `user:<id>` for the
// notification count. New annotations appear on the map and at the top of
// their list; new posts at the end of their thread (or under the post
// they answer). Where inserting would move the text under the reader, an
// "N nuovi" button collects them instead. The socket reconnects with
// backoff and resumes from the last event id it saw, so nothing is missed.
//
// Without this file every page is complete: it only saves a reload.

const lang = document.documentElement.lang === 'en' ? 'en' : 'it';
const t = (it, en) => (lang === 'en' ? en : it);

let socket = null;
let lastId = null;
let backoff = 1000;
const topics = new Set();
const pending = new Map(); // list element -> items waiting behind its badge

// Created empty when the page goes live: a live region inserted together
// with its text is not reliably read.
function announcer() {
  let region = document.getElementById('live-announcer');
  if (!region) {
    region = document.createElement('div');
    region.id = 'live-announcer';
    region.className = 'visually-hidden';
    region.setAttribute('aria-live', 'polite');
    document.body.append(region);
  }
  return region;
}

// The "nothing yet" line of a list, inside or right after it.
function removeEmpty(list) {
  list.querySelector('[data-live-empty]')?.remove();
  list.parentElement?.querySelector(':scope > [data-live-empty]')?.remove();
}

function announce(text) {
  announcer().textContent = text;
}

function authorLink(id, name) {
  if (!id || !name) {
    const span = document.createElement('span');
    span.textContent = t('utente eliminato', 'deleted user');
    return span;
  }
  const a = document.createElement('a');
  a.href = `/utenti/${id}`;
  a.textContent = name;
  return a;
}

// The server's sanitizer made body_html; it is inserted as the server pages do.
function userText(html) {
  const div = document.createElement('div');
  div.className = 'user-text';
  div.innerHTML = html;
  return div;
}

// A list item as the server renders it, for an item that arrived live:
// id `<kind>-<id>`, the id in data-id, its classes, then its children.
function liveItem(kind, id, className, ...children) {
  const li = document.createElement('li');
  li.id = `${kind}-${id}`;
  li.dataset.id = id;
  li.className = className;
  li.append(...children);
  return li;
}

// The line with the author above an item's text.
function metaLine(...parts) {
  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.append(...parts);
  return meta;
}

function annotationItem(a) {
  const h3 = document.createElement('h3');
  const link = document.createElement('a');
  link.href = `/annotazioni/${a.id}`;
  link.textContent = a.title;
  h3.append(link);
  const meta = metaLine(t('di ', 'by '), authorLink(a.author_id, a.author_name));
  return liveItem('annotation', a.id, 'annotation live-new', h3, meta, userText(a.body_html));
}

function postItem(p) {
  const article = document.createElement('article');
  article.append(metaLine(authorLink(p.author_id, p.author_name)), userText(p.body_html));
  return liveItem('post', p.id, 'live-new', article);
}

function badgeFor(list) {
  const prev = list.previousElementSibling;
  return prev && prev.matches('[data-live-badge]') ? prev : null;
}

function showBadge(list) {
  const badge = badgeFor(list);
  const waiting = pending.get(list) || [];
  if (!badge) return;
  badge.textContent = t(`${waiting.length} nuovi`, `${waiting.length} new`);
  badge.hidden = waiting.length === 0;
}

function flush(list) {
  const waiting = pending.get(list) || [];
  pending.set(list, []);
  for (const { item, place } of waiting) place(item);
  showBadge(list);
  const first = waiting[0]?.item.querySelector('a, [tabindex]');
  if (first) first.focus();
}

// Insert at the top, unless the reader is below the list's top: then wait behind the badge.
function insertTop(list, item) {
  const place = (node) => {
    removeEmpty(list);
    list.prepend(node);
  };
  if (list.getBoundingClientRect().top < 0 && badgeFor(list)) {
    const waiting = pending.get(list) || [];
    waiting.push({ item, place });
    pending.set(list, waiting);
    showBadge(list);
  } else {
    place(item);
  }
}

function addMarker(a) {
  if (a.lon == null || a.lat == null) return;
  for (const svg of document.querySelectorAll('svg.map[data-projection]')) {
    const group = svg.querySelector('[data-live-markers]');
    if (!group || group.querySelector(`[data-id="${a.id}"]`)) continue;
    const [pa, pb, pc, pd] = svg.dataset.projection.split(' ').map(Number);
    const ns = 'http://www.w3.org/2000/svg';
    const link = document.createElementNS(ns, 'a');
    link.setAttribute('href', `/annotazioni/${a.id}`);
    link.setAttribute('aria-label', `${t('Annotazione: ', 'Annotation: ')}${a.title}`);
    link.dataset.id = a.id;
    const dot = document.createElementNS(ns, 'circle');
    dot.setAttribute('class', 'marker');
    dot.setAttribute('cx', (pa + pb * a.lon).toFixed(1));
    dot.setAttribute('cy', (pc - pd * a.lat).toFixed(1));
    dot.setAttribute('r', '6');
    dot.setAttribute('fill', '#1a1a1a');
    dot.setAttribute('stroke', '#ffffff');
    dot.setAttribute('stroke-width', '1.5');
    link.append(dot);
    group.append(link);
  }
}

function onAnnotation(topic, data) {
  const a = data.annotation;
  if (!a || a.status !== 'visible') return;
  if (data.type === 'annotation.created') {
    addMarker(a);
    for (const list of document.querySelectorAll(`[data-live-list="annotations"][data-live-topic="${topic}"]`)) {
      if (!list.querySelector(`[data-id="${a.id}"]`)) insertTop(list, annotationItem(a));
    }
    announce(`${t('Nuova annotazione', 'New annotation')}: ${a.title}`);
  }
}

function onPost(topic, data) {
  const p = data.post;
  if (!p || data.type !== 'post.created' || p.status !== 'visible') return;
  for (const list of document.querySelectorAll(`[data-live-list="posts"][data-live-topic="${topic}"]`)) {
    if (list.querySelector(`#post-${p.id}`)) continue;
    const item = postItem(p);
    const parent = p.parent_id ? list.querySelector(`#post-${p.parent_id}`) : null;
    removeEmpty(list);
    if (parent) {
      let replies = parent.querySelector(':scope > ol');
      if (!replies) {
        replies = document.createElement('ol');
        replies.className = 'posts';
        parent.append(replies);
      }
      replies.append(item);
    } else {
      list.append(item);
    }
  }
  announce(t('Nuovo messaggio nella discussione', 'New message in the discussion'));
}

function setBell(unread) {
  const link = document.querySelector('header.top a[href="/account"]');
  if (!link) return;
  let count = link.querySelector('.bell');
  if (!count) {
    count = document.createElement('span');
    count.className = 'bell';
    link.append(count);
  }
  count.textContent = unread > 0 ? ` (${unread})` : '';
  count.setAttribute('aria-label', unread > 0 ? t(`${unread} notifiche non lette`, `${unread} unread notifications`) : '');
}

function onEvent(message) {
  lastId = message.id;
  const { topic, data } = message;
  if (topic.startsWith('area:')) onAnnotation(topic, data);
  else if (topic.startsWith('thread:')) onPost(topic, data);
  else if (topic.startsWith('user:') && typeof data.unread === 'number') setBell(data.unread);
}

function subscribe() {
  if (socket?.readyState === WebSocket.OPEN && topics.size > 0) {
    socket.send(JSON.stringify({ type: 'subscribe', topics: [...topics], since: lastId }));
  }
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(`${scheme}//${location.host}/ws`);
  socket.addEventListener('open', () => {
    backoff = 1000;
    subscribe();
  });
  socket.addEventListener('message', (e) => {
    let message;
    try {
      message = JSON.parse(e.data);
    } catch {
      return;
    }
    if (message.type === 'event') onEvent(message);
    else if (message.type === 'subscribed' && lastId === null) lastId = message.last_id;
    else if (message.type === 'resync') {
      lastId = message.since;
      subscribe();
    }
  });
  socket.addEventListener('close', () => {
    // Back off (with jitter) up to 30 s, then resume from the last id.
    const wait = Math.min(backoff, 30000) * (0.75 + Math.random() / 2);
    backoff = Math.min(backoff * 2, 30000);
    setTimeout(connect, wait);
  });
}

async function start() {
  // Resume from the oldest point any part of the page was rendered at, so
  // nothing committed between rendering and connecting is missed (items
  // already shown are recognised by their id and not added twice).
  const since = [...document.querySelectorAll('[data-live-since]')]
    .map((el) => Number(el.dataset.liveSince))
    .filter((n) => Number.isFinite(n));
  if (since.length > 0) lastId = Math.min(...since);
  for (const list of document.querySelectorAll('[data-live-topic]')) topics.add(list.dataset.liveTopic);
  if (document.querySelector('svg.map [data-live-markers]')) topics.add('map');
  for (const badge of document.querySelectorAll('[data-live-badge]')) {
    const list = badge.nextElementSibling;
    if (list) badge.addEventListener('click', () => flush(list));
  }
  // Signed in (the hint cookie says so): the bell, and the user's own topic.
  if (document.cookie.split('; ').includes('ow_in=1')) {
    try {
      const response = await fetch('/api/v1/notifications/unread', { credentials: 'same-origin' });
      if (response.ok) {
        const { unread, user_id: id } = await response.json();
        setBell(unread);
        topics.add(`user:${id}`);
      }
    } catch {
      // Offline: the page works without the count.
    }
  }
  if (topics.size > 0 && 'WebSocket' in window) {
    announcer();
    connect();
  }
}

start();
