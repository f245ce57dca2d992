import { lazy, Suspense } from 'react';
import { useSupabase } from '../../src/client/use-call-subscription.js';
import { LiveLines } from './components/live-lines.js';
import { PhoneDialer } from './components/phone-dialer.js';
import { SettingsProvider, useSettings } from './lib/settings-context.js';
import { ROUTES, useRoute, type RoutePath } from './lib/use-route.js';
import { useSession } from './lib/use-session.js';
import { AuthScreen } from './screens/auth-screen.js';
import { HistoryScreen } from './screens/history-screen.js';
import { LeadsScreen } from './screens/leads-screen.js';
import { SettingsScreen } from './screens/settings-screen.js';

// The charting library loads only when Stats is opened.
const StatsScreen = lazy(() => import('./screens/stats-screen.js').then((module) => ({ default: module.StatsScreen })));

function ModePill() {
  const { settings } = useSettings();
  if (!settings) return null;
  return settings.use_mock_dialer ? (
    <span className="pill pill--demo" title="Calls are simulated" data-testid="mode-pill">
      Demo mode
    </span>
  ) : (
    <span className="pill pill--live" title="Calls go out through Twilio" data-testid="mode-pill">
      Real calls
    </span>
  );
}

function Screen({ route, userEmail }: { route: RoutePath; userEmail: string }) {
  switch (route) {
    case '/':
      return (
        <div className="dial-layout">
          <PhoneDialer userEmail={userEmail} />
          <LiveLines userEmail={userEmail} />
        </div>
      );
    case '/leads':
      return <LeadsScreen userEmail={userEmail} />;
    case '/history':
      return <HistoryScreen userEmail={userEmail} />;
    case '/stats':
      return (
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <StatsScreen userEmail={userEmail} />
        </Suspense>
      );
    case '/settings':
      return <SettingsScreen />;
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${String(unreachable)}`);
    }
  }
}

function SignedInApp({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const [route, navigate] = useRoute();
  return (
    <SettingsProvider userEmail={userEmail}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <div className="brand">
            <span className="brand__mark" aria-hidden="true" />
            Dialer
          </div>
          <ModePill />
          <div className="topbar__user">
            <span className="topbar__email" data-testid="user-email">
              {userEmail}
            </span>
            <button type="button" className="button button--ghost button--small" onClick={() => void supabase.auth.signOut()}>
              Sign out
            </button>
          </div>
        </div>
        <nav className="nav" aria-label="Main">
          {ROUTES.map(({ path, label }) => (
            <a
              key={path}
              href={path}
              className={`nav__link ${route === path ? 'is-active' : ''}`}
              aria-current={route === path ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(path);
              }}
            >
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Screen route={route} userEmail={userEmail} />
      </main>
    </SettingsProvider>
  );
}

/** Signed out: the sign-in screen; signed in: the dialer and its screens. */
export function App() {
  const session = useSession();
  switch (session.kind) {
    case 'loading':
      return <p className="splash">Loading…</p>;
    case 'signed-out':
      return <AuthScreen />;
    case 'signed-in': {
      const email = session.session.user.email ?? '';
      return <SignedInApp key={email} userEmail={email} />;
    }
    default: {
      const unreachable: never = session;
      throw new Error(`unknown session ${String(unreachable)}`);
    }
  }
}
