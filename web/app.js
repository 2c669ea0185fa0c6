// Shell and router: routes live in location.hash (#/findings?severity=high) so every view,
// filter and page is a link that can be shared, bookmarked and reached with Back.
import { api, clearToken, describeError, getToken, setUnauthenticatedHandler } from './api.js';
import { h, clear } from './dom.js';
import { signInView } from './signin.js';
import { overviewView } from './overview.js';
import { frameworkView } from './framework.js';
import { findingsView } from './findings.js';
import { findingView } from './finding.js';
import { exceptionsView } from './exceptions.js';
import { alertsView } from './alerts.js';
import { reportsView } from './reports.js';
import { tokensView } from './tokens.js';

const ROUTES = {
  '': overviewView,
  signin: signInView,
  framework: frameworkView,
  findings: findingsView,
  finding: findingView,
  exceptions: exceptionsView,
  alerts: alertsView,
  reports: reportsView,
  tokens: tokensView,
};

const ROLE_RANK = { viewer: 0, auditor: 1, admin: 2 };

const state = { me: null, lastPath: null, flash: null };

const main = document.getElementById('main');
const noticeEl = document.getElementById('notice');

function notify(message, kind = 'error') {
  noticeEl.textContent = message;
  noticeEl.className = `notice ${kind}`;
  noticeEl.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  noticeEl.hidden = false;
}

function clearNotice() {
  noticeEl.hidden = true;
  noticeEl.textContent = '';
}

/** flash: a [message, kind] shown on the page navigated to (a notice is cleared on every render). */
function navigate(hash, flash) {
  state.flash = flash ?? null;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  const params = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
  const segs = path.split('/').filter(Boolean).map((x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  });
  return { path, segs, params };
}

function showUser(me) {
  document.getElementById('nav').hidden = !me;
  document.getElementById('user').hidden = !me;
  document.getElementById('user-name').textContent = me ? `${me.name} (${me.role})` : '';
  document.getElementById('nav-tokens').hidden = !me || me.role !== 'admin';
}

async function currentUser() {
  if (state.me) return state.me;
  state.me = await api('/me');
  return state.me;
}

function signedIn(me) {
  state.me = me;
  showUser(me);
}

function signOut(message) {
  clearToken();
  state.me = null;
  showUser(null);
  navigate('#/signin', message ? [message, 'error'] : null);
}

async function render() {
  const { path, segs, params } = parseHash();
  const name = segs[0] ?? '';
  const view = ROUTES[name];
  const section = h('section', { class: `view view-${name || 'overview'}` });
  clearNotice();
  if (state.flash) {
    notify(...state.flash);
    state.flash = null;
  }
  const renderedHash = location.hash;
  // A filter that re-renders its own page keeps the keyboard focus (by field name).
  const active = document.activeElement;
  const focusName = active && main.contains(active) && active.name ? active.name : null;
  main.removeAttribute('data-rendered');
  clear(main).append(section);
  for (const a of document.querySelectorAll('#nav a')) {
    const target = a.getAttribute('href').slice(2);
    if (target === name || (target === 'findings' && name === 'finding') || (target === '' && name === 'framework')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const pathChanged = state.lastPath !== path;
  state.lastPath = path;

  if (name !== 'signin' && !getToken()) {
    navigate('#/signin');
    return;
  }
  if (!view) {
    section.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', null, 'No such page. ', h('a', { href: '#/' }, 'Go to the overview.')));
    main.setAttribute('data-rendered', renderedHash);
    return;
  }
  let me = null;
  if (name !== 'signin') {
    try {
      me = await currentUser();
      showUser(me);
    } catch (err) {
      if (err.status !== 401) notify(describeError(err));
      return;
    }
  }
  const ctx = {
    section,
    segs: segs.slice(1),
    params,
    me,
    can: (role) => !!me && ROLE_RANK[me.role] >= ROLE_RANK[role],
    notify,
    fail: (err) => {
      if (err && err.status === 401) return; // the unauthenticated handler took over
      if (section.isConnected) notify(describeError(err));
    },
    navigate,
    signedIn,
  };
  try {
    await view(ctx);
  } catch (err) {
    ctx.fail(err);
  }
  // Marks the page as complete for this URL (tests and automation wait on it; a newer render may have replaced it).
  if (!section.isConnected) return;
  main.setAttribute('data-rendered', renderedHash);
  const heading = section.querySelector('h1');
  // The tab title names the page too (history, tabs, screen readers announce it).
  document.title = heading ? `${heading.textContent} — Palisade` : 'Palisade';
  if (pathChanged) {
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  } else if (focusName) {
    section.querySelector(`form [name="${CSS.escape(focusName)}"]`)?.focus({ preventScroll: true });
  }
}

setUnauthenticatedHandler(() => signOut('Your session is no longer valid: sign in again.'));

document.getElementById('sign-out').addEventListener('click', () => signOut());
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', render);
render();
