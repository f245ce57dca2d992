import { useEffect, useState } from 'react';

export const ROUTES = [
  { path: '/', label: 'Dial' },
  { path: '/leads', label: 'Leads' },
  { path: '/history', label: 'History' },
  { path: '/stats', label: 'Stats' },
  { path: '/settings', label: 'Settings' },
] as const;
export type RoutePath = (typeof ROUTES)[number]['path'];

function readRoute(): RoutePath {
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
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
    if (path !== window.location.pathname) window.history.pushState(null, '', path);
    setRoute(path);
  };
  return [route, navigate];
}
