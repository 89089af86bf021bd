// Start of the single-page UI: the hash router, the navigation for the signed-in user's roles, and the health line.
import { currentSession, hasRole, onSessionExpired, signOut } from './api.js';
import { el, show } from './dom.js';
import * as login from './pages/login.js';
import * as agentDesktop from './pages/agent.js';
import * as wallboard from './pages/wallboard.js';
import * as callHistory from './pages/calls.js';
import * as callDetail from './pages/call.js';
import * as admin from './pages/admin.js';

/** Routes: the hash path's first segment, the roles that may open it, and the page module (render(main, params)). */
const ROUTES = [
  { path: 'agent', label: 'Agent desktop', roles: ['AGENT'], page: agentDesktop },
  { path: 'wallboard', label: 'Wallboard', roles: ['SUPERVISOR', 'ADMIN'], page: wallboard },
  { path: 'calls', label: 'Call history', roles: ['AGENT', 'SUPERVISOR', 'ADMIN'], page: callHistory },
  { path: 'admin', label: 'Administration', roles: ['SUPERVISOR', 'ADMIN'], page: admin },
];

/** Where each role lands after signing in; a user with several roles gets the first that applies. */
function landingPage() {
  if (hasRole('ADMIN')) return '#/admin/agents';
  if (hasRole('SUPERVISOR')) return '#/wallboard';
  if (hasRole('AGENT')) return '#/agent';
  return '#/login';
}

let leaveCurrentPage = () => {};

async function route() {
  leaveCurrentPage();
  leaveCurrentPage = () => {};
  // Each navigation renders into a fresh view: a slower page still loading from an earlier navigation then
  // writes into a view that is no longer shown instead of over the current page.
  const main = document.createElement('div');
  document.getElementById('main').replaceChildren(main);
  const [pathPart, queryPart = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(queryPart);
  renderNavigation(segments[0]);

  if (!currentSession()) {
    if (segments[0] !== 'login') {
      location.replace('#/login');
      return;
    }
    // The form focuses its first field itself: signing in is all there is to do here.
    leaveCurrentPage = login.render(main, params) || leaveCurrentPage;
    return;
  }
  if (segments.length === 0 || segments[0] === 'login') {
    location.replace(landingPage());
    return;
  }
  const target = ROUTES.find(candidate => candidate.path === segments[0]);
  if (!target || !hasRole(...target.roles)) {
    show(main, el('h1', { tabindex: '-1', id: 'page-title' }, 'Not available'),
      el('p', {}, 'This page does not exist or your role does not allow it. '),
      el('p', {}, el('a', { href: landingPage() }, 'Go to your start page')));
    focusTitle();
    return;
  }
  const page = target.path === 'calls' && segments[1] ? callDetail : target.page;
  const leave = (await page.render(main, segments.slice(1), params)) || (() => {});
  if (!main.isConnected) {
    leave();
    return;
  }
  leaveCurrentPage = leave;
  focusTitle();
}

function focusTitle() {
  document.getElementById('page-title')?.focus();
}

function renderNavigation(current) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const session = currentSession();
  if (!session) {
    show(nav);
    show(who);
    return;
  }
  const links = ROUTES.filter(target => hasRole(...target.roles)).map(target => el('li', {},
    el('a', {
      href: target.path === 'admin' ? '#/admin/agents' : `#/${target.path}`,
      'aria-current': target.path === current ? 'page' : null,
    }, target.label)));
  show(nav, el('ul', {}, links));
  show(who, `${session.id} (${session.roles.join(', ').toLowerCase()}) `,
    el('button', { type: 'button', id: 'sign-out', onclick: () => { signOut(); location.hash = '#/login'; } },
      'Sign out'));
}

async function showHealth() {
  const status = document.getElementById('status');
  try {
    const health = await (await fetch('/actuator/health')).json();
    status.textContent = health.status;
    status.className = `health ${health.status}`;
  } catch {
    status.textContent = 'unreachable';
    status.className = 'health unreachable';
  }
}

onSessionExpired(() => { location.hash = '#/login?expired=1'; });
window.addEventListener('hashchange', route);
route();
showHealth();
