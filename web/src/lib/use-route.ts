import { useEffect, useState } from 'react';
import type { Role } from './team-api.js';

/** Every screen, and who finds it in the nav (the server decides what each sees anyway). */
export const ROUTES = [
  { path: '/', label: 'Dial', roles: ['admin', 'manager', 'rep'] },
  { path: '/session', label: 'Session', roles: ['admin', 'manager', 'rep'] },
  { path: '/leads', label: 'Leads', roles: ['admin', 'manager', 'rep'] },
  { path: '/history', label: 'History', roles: ['admin', 'manager', 'rep'] },
  { path: '/stats', label: 'Stats', roles: ['admin', 'manager', 'rep'] },
  { path: '/reports', label: 'Reports', roles: ['admin', 'manager', 'rep'] },
  { path: '/floor', label: 'Floor', roles: ['admin', 'manager'] },
  { path: '/compliance', label: 'Compliance', roles: ['admin', 'manager'] },
  { path: '/team', label: 'Team', roles: ['admin'] },
  { path: '/settings', label: 'Settings', roles: ['admin', 'manager', 'rep'] },
] as const satisfies readonly { path: string; label: string; roles: readonly Role[] }[];
export type RoutePath = (typeof ROUTES)[number]['path'];

/** The invitation link's path: `/join?token=...` opens sign-up with the invitation. */
export const JOIN_PATH = '/join';

/** The routes a member with `role` finds in the nav; before the role is known, those everyone has. */
export const routesFor = (role: Role | null) => ROUTES.filter((route) => (route.roles as readonly Role[]).includes(role ?? 'rep'));

export const mayOpen = (path: RoutePath, role: Role) => (ROUTES.find((route) => route.path === path)?.roles as readonly Role[] | undefined)?.includes(role) ?? false;

function readRoute(): RoutePath {
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  // A lead's page (`/leads/<id>`) belongs to the Leads screen.
  if (path.startsWith('/leads/')) return '/leads';
  return ROUTES.find((route) => route.path === path)?.path ?? '/';
}

/** The screen named by the address bar; the server answers every page path with the app. */
export function useRoute(): [RoutePath, (path: RoutePath) => void] {
  const [route, setRoute] = useState<RoutePath>(readRoute);
  useEffect(() => {
    const onPopState = () => setRoute(readRoute());
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);
  const navigate = (path: RoutePath) => {
    goToPath(path);
    setRoute(path);
  };
  return [route, navigate];
}

/** Opens `path` in the app (a screen or a lead's page), as a link would, without reloading. */
export function goToPath(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

const readLeadId = () => /^\/leads\/([0-9a-f-]{36})\/?$/i.exec(window.location.pathname)?.[1] ?? null;

/** The lead whose page is open (`/leads/<id>`), or null on the list. */
export function useLeadId(): string | null {
  const [leadId, setLeadId] = useState(readLeadId);
  useEffect(() => {
    const onPopState = () => setLeadId(readLeadId());
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);
  return leadId;
}

/** The token of an invitation link, when the page was opened at `/join?token=...`. */
export function readInvitationToken(): string | null {
  if (window.location.pathname.replace(/\/+$/, '') !== JOIN_PATH) return null;
  return new URLSearchParams(window.location.search).get('token');
}
