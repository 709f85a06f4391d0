// The account pages, in a real browser against the real server (mail is
// written as .eml files into a temporary folder and read back from there).
// What this file proves:
//
// 1. Without JavaScript a person can sign up by the labelled form, follow
//    the link mailed to them, log in, see and edit their profile, log out,
//    and is then sent to the log-in page by /account.
// 2. A refused sign-up shows an error summary (role=alert) whose link
//    moves focus to the field; the field is aria-invalid and described by
//    its message; what was typed (except the password) is kept.
// 3. axe-core finds no WCAG 2.0/2.1 A or AA violation on every account
//    page, in Italian and in English (?lang=en); every page has one h1, the
//    right <html lang>, and an accessible name on every input.
// 4. Two-factor enrolment works from the page alone: the QR code is an
//    image with a name, the key shown gives valid RFC 6238 codes, 10
//    recovery codes are shown; the next log-in asks for a code, a recovery
//    code works once and is refused the second time.
// 5. Account pages send a strict CSP (no 'unsafe-inline', frame-ancestors
//    'none'), nosniff, Cache-Control: no-store; the session cookies are
//    HttpOnly and SameSite=Lax; the pages log no error and no CSP violation.
// 6. The language chosen with ?lang=en is remembered, so the answer to a
//    form posted from an English page is in English too.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';

import { HttpClient, readMailLink, runAxe, setUpWithMail, WCAG_TAGS } from './harness.js';

const PASSWORD = 'tortellini sotto le due torri';

let env;
let mailDir;
before(async () => {
  env = await setUpWithMail();
  mailDir = env.mailDir;
});
after(async () => {
  await env?.stop();
});

let serial = 0;
/** A fresh address for each account, so mails and limits never mix. */
const newEmail = (tag) => `${tag}-${process.pid}-${(serial += 1)}@example.org`;

// ---------------------------------------------------------------- HTTP, outside the browser

// The cookie-jar client lives in the harness (shared with participation.test.js).
const Client = HttpClient;

/**
 * Sign up by HTTP and follow the verification link: a verified account,
 * ready to log in. Returns { email, password, name }.
 */
async function createUser(tag, name = 'Giulia Rossi') {
  const email = newEmail(tag);
  const client = new Client(env.url);
  const since = Date.now() - 1000;
  const signed = await client.submit('/account/registrati', '/account/registrati', {
    email,
    display_name: name,
    password: PASSWORD,
  });
  assert.equal(signed.status, 200, `sign-up of ${email}: ${signed.text.slice(0, 500)}`);
  assert.match(signed.text, /Controlla la tua posta/);
  const { link } = await readMailLink(mailDir, { to: email, path: '/account/verifica', since });
  const verified = await client.get(link);
  assert.equal(verified.status, 200, `verification link of ${email}`);
  return { email, password: PASSWORD, name };
}

// ---------------------------------------------------------------- browser helpers

/** Log in by the form (language-neutral selectors); waits for the redirect. */
async function logIn(page, { email, password }, { lang, next } = {}) {
  const q = new URLSearchParams();
  if (lang) q.set('lang', lang);
  if (next) q.set('next', next);
  await page.goto(`${env.url}/account/accedi${q.size ? `?${q}` : ''}`);
  await page.fill('form[action="/account/accedi"] input[name="email"]', email);
  await page.fill('form[action="/account/accedi"] input[name="password"]', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/account/accedi'),
    page.click('form[action="/account/accedi"] button[type="submit"]'),
  ]);
}

/** Log out with the account menu's "Esci" / "Log out" button. */
async function logOut(page) {
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.click('nav.account-nav form[action="/account/esci"] button'),
  ]);
}

/** Submit the page's sign-up form without the browser's own checks (required, minlength, type=email). */
async function signUpWithErrors(page, { email, name, password }) {
  await page.fill('#field-email', email);
  await page.fill('#field-display_name', name);
  await page.fill('#field-password', password);
  await page.evaluate(() => {
    document.querySelector('form[action="/account/registrati"]').noValidate = true;
  });
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/account/registrati"] button[type="submit"]'),
  ]);
  return response;
}

/**
 * axe (WCAG 2.0/2.1 A and AA) on the page as it is, plus the checks axe
 * leaves to us: exactly one h1, <html lang>, a name for every input.
 */
async function checkAccessible(page, what, lang) {
  const axe = await runAxe(page);
  assert.ok(axe.rulesRun > 10, `axe ran its rules on ${what}`);
  assert.equal(axe.violations, 0, `axe on ${what} (${page.url()}):\n${axe.report}`);

  const facts = await page.evaluate(() => {
    window.axe.setup(document);
    try {
      return {
        lang: document.documentElement.getAttribute('lang'),
        h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
        unnamed: [...document.querySelectorAll('input:not([type="hidden"]), select, textarea')]
          .filter((el) => window.axe.commons.text.accessibleText(el).trim() === '')
          .map((el) => el.outerHTML.slice(0, 200)),
        inputs: document.querySelectorAll('input:not([type="hidden"]), select, textarea').length,
      };
    } finally {
      window.axe.teardown();
    }
  });
  assert.equal(facts.lang, lang, `<html lang> of ${what}`);
  assert.equal(facts.h1.length, 1, `one h1 on ${what}: ${JSON.stringify(facts.h1)}`);
  assert.deepEqual(facts.unnamed, [], `inputs without an accessible name on ${what}`);
  return facts;
}

// ---------------------------------------------------------------- TOTP (RFC 6238: SHA-1, 30 s, 6 digits)

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secretBase32, unixSeconds = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// ---------------------------------------------------------------- 1. the journey without JavaScript

test('without JavaScript: sign up, verify by mail, log in, edit the profile, log out', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT', javaScriptEnabled: false });
  const page = await context.newPage();
  const email = newEmail('journey');
  const name = 'Marta Bianchi';
  const since = Date.now() - 1000;

  await page.goto(`${env.url}/account/registrati`);
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  await page.getByLabel('Indirizzo e-mail').fill(email);
  await page.getByLabel('Nome da mostrare').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: "Crea l'account" }).click()]);
  assert.equal(await page.textContent('h1'), 'Controlla la tua posta');

  const { link, mail } = await readMailLink(mailDir, { to: email, path: '/account/verifica', since });
  assert.match(mail.text, new RegExp(`Ciao ${name}`), 'the mail greets the new user by name');
  assert.equal(new URL(link).origin, env.url, 'the link points to this server');
  const verified = await page.goto(link);
  assert.equal(verified.status(), 200);
  assert.equal(await page.textContent('h1'), 'Indirizzo confermato');

  await Promise.all([page.waitForURL(/\/account\/accedi/), page.getByRole('link', { name: 'Accedi', exact: true }).click()]);
  await page.getByLabel('Indirizzo e-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/account'),
    page.getByRole('button', { name: 'Accedi', exact: true }).click(),
  ]);
  assert.equal(await page.textContent('h1'), 'Il tuo profilo');
  assert.equal(await page.getByLabel('Nome da mostrare').inputValue(), name);
  assert.match(await page.textContent('main dl'), new RegExp(`${email.replace(/[.+]/g, '\\$&')} \\(verificato\\)`));

  const bio = 'Volontaria al Navile.\nMi occupo di anziani.';
  await page.getByLabel('Presentazione').fill(bio);
  await Promise.all([page.waitForURL(/msg=saved/), page.getByRole('button', { name: 'Salva il profilo' }).click()]);
  assert.equal(await page.textContent('p.notice[role="status"]'), 'Modifiche salvate.');
  assert.equal(await page.getByLabel('Presentazione').inputValue(), bio, 'the bio is saved, line break included');
  // What everyone sees.
  const publicHref = await page.getAttribute('a[href^="/utenti/"]', 'href');
  await page.goto(env.url + publicHref);
  assert.equal(await page.textContent('h1'), name);
  assert.equal(await page.textContent('p.prewrap'), bio);

  await page.goto(`${env.url}/account`);
  await Promise.all([page.waitForURL(`${env.url}/`), page.getByRole('button', { name: 'Esci', exact: true }).click()]);
  const response = await page.goto(`${env.url}/account`);
  assert.equal(new URL(page.url()).pathname, '/account/accedi', 'after logging out /account asks to log in');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
  assert.equal(response.status(), 200);
  assert.equal(await page.textContent('h1'), 'Accedi');
  await context.close();
});

// ---------------------------------------------------------------- 2. the error summary

test('a too-short password: error summary, focus moves to the field, typed values kept', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/account/registrati`);
  const email = newEmail('short');
  const response = await signUpWithErrors(page, { email, name: 'Paolo Verdi', password: 'corta' });
  assert.equal(response.status(), 422);
  assert.match(await page.title(), /^Errore: Registrati/, 'the title says there is an error');

  const summary = page.getByRole('alert');
  assert.equal(await summary.count(), 1, 'one error summary with role=alert');
  const link = summary.getByRole('link', { name: 'La password deve avere almeno 12 caratteri.' });
  assert.equal(await link.getAttribute('href'), '#field-password');
  assert.equal(await summary.getByRole('link').count(), 1, 'only the password is wrong');

  await link.click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-password', 'the link moves focus to the field');

  const field = page.locator('#field-password');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const describedBy = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/);
  assert.ok(describedBy.includes('field-password-error'), `aria-describedby names the message: ${describedBy}`);
  assert.match(await page.textContent('#field-password-error'), /La password deve avere almeno 12 caratteri\./);
  assert.equal(await field.inputValue(), '', 'the password is not sent back');

  assert.equal(await page.getByLabel('Indirizzo e-mail').inputValue(), email, 'the address is kept');
  assert.equal(await page.getByLabel('Nome da mostrare').inputValue(), 'Paolo Verdi', 'the name is kept');
  assert.equal(await page.locator('#field-email').getAttribute('aria-invalid'), null, 'the address is not marked wrong');
  await context.close();
});

// ---------------------------------------------------------------- 3. accessibility of every account page

for (const [locale, lang] of [
  ['it-IT', 'it'],
  ['en-US', 'en'],
]) {
  test(`account pages: no axe violations (${WCAG_TAGS.join(', ')}), one h1, named inputs, in ${lang}`, async (t) => {
    const q = lang === 'en' ? '?lang=en' : '';
    const and = lang === 'en' ? '&lang=en' : '';
    const user = await createUser(`axe-${lang}`, lang === 'en' ? 'Anna Bruni' : 'Anna Neri');
    // Every page is asked for with ?lang=en; the browser's locale agrees, so
    // the pages reached by a form or a redirect are English too (whether
    // ?lang is remembered is test 6's business). The pages' CSP allows only
    // same-origin scripts; axe is injected inline.
    const anonymous = await env.browser.newContext({ locale, bypassCSP: true });
    const page = await anonymous.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    const visit = async (name, path, status = 200) => {
      await t.test(`${name} (${path})`, async () => {
        const response = await page.goto(env.url + path);
        assert.equal(response.status(), status, `${path} answers ${status}`);
        await checkAccessible(page, `${name} in ${lang}`, lang);
        assert.deepEqual(errors, [], `no script errors on ${path}`);
      });
    };

    await visit('sign-up', `/account/registrati${q}`);
    await t.test('sign-up with errors', async () => {
      await page.goto(`${env.url}/account/registrati${q}`);
      const response = await signUpWithErrors(page, { email: 'nessuno', name: 'A', password: 'corta' });
      assert.equal(response.status(), 422);
      assert.equal(await page.locator('[role="alert"] li').count(), 3, 'three errors listed');
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 3, 'three fields marked');
      await checkAccessible(page, `sign-up with errors in ${lang}`, lang);
    });
    await visit('log-in', `/account/accedi${q}`);
    await visit('forgotten password', `/account/password-dimenticata${q}`);
    await visit('reset', `/account/reimposta?token=dummy-token${and}`);
    await anonymous.close();

    const signedIn = await env.browser.newContext({ locale, bypassCSP: true });
    const own = await signedIn.newPage();
    own.on('pageerror', (e) => errors.push(e.message));
    await logIn(own, user, { lang: lang === 'en' ? 'en' : undefined });
    const ownVisit = async (name, path) => {
      await t.test(`${name} (${path})`, async () => {
        const response = await own.goto(env.url + path);
        assert.equal(response.status(), 200, `${path} answers 200`);
        await checkAccessible(own, `${name} in ${lang}`, lang);
        assert.deepEqual(errors, [], `no script errors on ${path}`);
      });
    };
    await ownVisit('profile', `/account${q}`);
    const publicPath = await own.getAttribute('a[href^="/utenti/"]', 'href');
    await ownVisit('settings', `/account/impostazioni${q}`);
    await ownVisit('sessions', `/account/sessioni${q}`);
    await ownVisit('association request', `/account/associazione${q}`);
    await ownVisit('public profile', `${publicPath}${q}`);
    await ownVisit('two-factor, before enrolment', `/account/2fa${q}`);
    await t.test('two-factor, during enrolment (QR code)', async () => {
      await Promise.all([
        own.waitForURL((url) => url.pathname === '/account/2fa'),
        own.click('form[action="/account/2fa/avvia"] button'),
      ]);
      assert.equal(await own.locator('figure.qr svg').count(), 1, 'the QR code is shown');
      await checkAccessible(own, `two-factor enrolment in ${lang}`, lang);
    });
    await signedIn.close();
  });
}

// ---------------------------------------------------------------- 4. two-factor enrolment and recovery codes

test('two-factor: enrol from the page, then a recovery code works once', async () => {
  // The TOTP code below is RFC 6238's own test vector (SHA-1, T = 59 s).
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59), '287082', 'the test computes TOTP codes right');
  const user = await createUser('totp', 'Luca Gialli');
  const context = await env.browser.newContext({ locale: 'it-IT', bypassCSP: true });
  const page = await context.newPage();
  await logIn(page, user);
  assert.equal(new URL(page.url()).pathname, '/account', 'no code asked before enrolment');

  await page.goto(`${env.url}/account/2fa`);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/account/2fa'),
    page.getByRole('button', { name: 'Attiva la verifica in due passaggi' }).click(),
  ]);
  const qr = page.locator('figure.qr svg');
  assert.equal(await qr.count(), 1, 'a QR code is shown');
  assert.equal(await qr.getAttribute('role'), 'img');
  const label = await qr.getAttribute('aria-label');
  assert.ok(label && label.trim().length > 0, `the QR code has an aria-label: ${label}`);
  assert.equal(await page.getByRole('img', { name: label }).count(), 1, 'the QR code is an image named by its label');
  const secret = (await page.textContent('code.secret')).trim();
  assert.match(secret.replace(/\s+/g, ''), /^[A-Z2-7]{16,}$/, 'the key is base32');

  await page.getByLabel('Codice', { exact: true }).fill(totp(secret));
  await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Conferma e attiva' }).click()]);
  await page.waitForSelector('ul.codes');
  assert.equal(await page.textContent('p.notice[role="status"]'), 'Verifica in due passaggi attivata.');
  const codes = (await page.locator('ul.codes li code').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10, `10 recovery codes: ${codes}`);
  assert.equal(new Set(codes).size, 10, 'all different');
  await checkAccessible(page, 'the recovery codes', 'it');

  await logOut(page);
  await logIn(page, user);
  assert.equal(new URL(page.url()).pathname, '/account/accedi/codice', 'the next log-in asks for a code');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
  const between = (await context.cookies(env.url)).find((c) => c.name === 'ow_2fa');
  assert.ok(between, 'the password step is remembered in a cookie');
  assert.equal(between.httpOnly, true, 'ow_2fa is HttpOnly');
  assert.equal(between.sameSite, 'Lax', 'ow_2fa is SameSite=Lax');
  assert.equal((await context.cookies(env.url)).some((c) => c.name === 'ow_access'), false, 'no session before the code');
  await checkAccessible(page, 'the code page', 'it');
  await page.getByLabel('Codice', { exact: true }).fill(codes[0]);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/account'),
    page.getByRole('button', { name: 'Verifica', exact: true }).click(),
  ]);
  await page.goto(`${env.url}/account/2fa`);
  assert.match(await page.textContent('main'), /Codici di recupero ancora utilizzabili: 9/);
  await context.close();

  const fresh = await env.browser.newContext({ locale: 'it-IT', bypassCSP: true });
  const again = await fresh.newPage();
  await logIn(again, user);
  assert.equal(new URL(again.url()).pathname, '/account/accedi/codice');
  await again.getByLabel('Codice', { exact: true }).fill(codes[0]);
  const [refused] = await Promise.all([
    again.waitForNavigation(),
    again.getByRole('button', { name: 'Verifica', exact: true }).click(),
  ]);
  assert.equal(refused.status(), 422, 'a used recovery code is refused');
  assert.equal(new URL(again.url()).pathname, '/account/accedi/codice');
  assert.match(await again.getByRole('alert').textContent(), /Codice non valido o già usato\./);
  assert.equal(await again.locator('#field-code').getAttribute('aria-invalid'), 'true');
  await checkAccessible(again, 'the code page with an error', 'it');
  // The app's next code still lets the owner in (the enrolment used the current step).
  await again.getByLabel('Codice', { exact: true }).fill(totp(secret, Date.now() / 1000 + 30));
  await Promise.all([
    again.waitForURL((url) => url.pathname === '/account'),
    again.getByRole('button', { name: 'Verifica', exact: true }).click(),
  ]);
  await fresh.close();
});

// ---------------------------------------------------------------- 5. headers, cookies, console

test('account pages: strict CSP, nosniff, no-store, HttpOnly SameSite=Lax cookies, no console errors', async () => {
  const user = await createUser('headers', 'Sara Blu');
  const context = await env.browser.newContext({ locale: 'it-IT' });
  // Runs before the page's own scripts; CSP does not apply to it.
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // The site has no favicon: Chromium's own request for /favicon.ico
    // logs a 404 now and then; that is not the account pages' doing.
    if (/\/favicon\.ico$/.test(m.location().url ?? '')) return;
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));

  await logIn(page, user);
  const cookies = await context.cookies(env.url);
  for (const name of ['ow_access', 'ow_refresh', 'ow_csrf']) {
    const cookie = cookies.find((c) => c.name === name);
    assert.ok(cookie, `cookie ${name} is set: ${cookies.map((c) => c.name)}`);
    assert.equal(cookie.httpOnly, true, `${name} is HttpOnly`);
    assert.equal(cookie.sameSite, 'Lax', `${name} is SameSite=Lax`);
    assert.equal(cookie.path, '/', `${name} is for the whole site`);
  }

  for (const path of [
    '/account',
    '/account/impostazioni',
    '/account/sessioni',
    '/account/2fa',
    '/account/associazione',
    '/account/accedi?next=%2Faccount',
  ]) {
    const response = await page.goto(env.url + path);
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    assert.ok(csp, `${path} sends a Content-Security-Policy`);
    assert.ok(!csp.includes("'unsafe-inline'"), `${path}: no 'unsafe-inline' in "${csp}"`);
    assert.ok(!csp.includes("'unsafe-eval'"), `${path}: no 'unsafe-eval' in "${csp}"`);
    assert.match(csp, /frame-ancestors 'none'/, `${path}: frame-ancestors 'none' in "${csp}"`);
    assert.equal(headers['x-content-type-options'], 'nosniff', `${path}: nosniff`);
    if (path.startsWith('/account/accedi')) {
      // Signed in: the log-in page sends the reader on, and says so uncached.
      assert.equal(new URL(page.url()).pathname, '/account');
    } else {
      assert.match(headers['cache-control'] ?? '', /no-store/, `${path}: Cache-Control no-store`);
      assert.equal(new URL(page.url()).pathname, path, `${path} is shown, not redirected`);
    }
    assert.deepEqual(await page.evaluate(() => window.__csp), [], `no CSP violation on ${path}`);
  }
  // The redirect itself is not stored either.
  const redirect = await fetch(`${env.url}/account`, { redirect: 'manual' });
  assert.equal(redirect.status, 303);
  assert.match(redirect.headers.get('cache-control') ?? '', /no-store/, 'the redirect to log in is no-store');
  assert.deepEqual(problems, [], 'no console errors');
  // The listeners do see a violation when there is one: an inline script.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__ran = true';
    document.body.append(script);
  });
  await page.waitForFunction(() => window.__csp.length > 0);
  assert.equal(await page.evaluate(() => window.__ran ?? false), false, 'the CSP blocks inline scripts');
  assert.ok(problems.some((p) => /Content Security Policy/.test(p)), 'and the console reports it');
  await context.close();
});

// ---------------------------------------------------------------- 6. the language is remembered

test('?lang=en on an account page is remembered: the form answers in English', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/account/registrati`);
  assert.equal(await page.getAttribute('html', 'lang'), 'it', 'Italian by default');
  // The header's language switch, as a reader would use it.
  await Promise.all([page.waitForURL(/lang=en/), page.click('header a[hreflang="en"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Sign up');
  const response = await signUpWithErrors(page, { email: newEmail('lang'), name: 'Ugo Rosa', password: 'short' });
  assert.equal(response.status(), 422);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the answer to the English form is in English');
  assert.match(await page.getByRole('alert').textContent(), /The password must have at least 12 characters\./);
  // And the next page too, without ?lang.
  await page.goto(`${env.url}/account/accedi`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the next account page is in English');
  await context.close();
});
