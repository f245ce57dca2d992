import { lazy, Suspense, useState } from 'react';
import { useSupabase } from '../../src/client/use-call-subscription.js';
import { LiveLines } from './components/live-lines.js';
import { MyState } from './components/my-state.js';
import { PhoneDialer } from './components/phone-dialer.js';
import { SettingsProvider, useSettings } from './lib/settings-context.js';
import { JOIN_PATH, mayOpen, readInvitationToken, routesFor, useRoute, type RoutePath } from './lib/use-route.js';
import { useSession } from './lib/use-session.js';
import { useWorkspace, WorkspaceProvider } from './lib/workspace-context.js';
import { AuthScreen } from './screens/auth-screen.js';
import { ComplianceScreen } from './screens/compliance/compliance-screen.js';
import { FloorScreen } from './screens/floor-screen.js';
import { HistoryScreen } from './screens/history-screen.js';
import { LeadsScreen } from './screens/leads-screen.js';
import { ReportsScreen } from './screens/reports-screen.js';
import { SessionScreen } from './screens/session-screen.js';
import { SettingsScreen } from './screens/settings-screen.js';
import { TeamScreen } from './screens/team-screen.js';

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

const NOT_ALLOWED: Readonly<Partial<Record<RoutePath, string>>> = {
  '/floor': 'The floor is for managers and admins only. Ask an admin of your team if you need it.',
  '/team': 'Team settings are for admins only.',
  '/compliance': 'The compliance log and rules are for managers and admins only.',
};

/** A screen the member's role does not include: said plainly (the server would show them nothing anyway). */
function NotAllowed({ route }: { route: RoutePath }) {
  return (
    <section className="card" aria-label="Not available">
      <p className="notice notice--warn" role="alert" data-testid="not-allowed">
        {NOT_ALLOWED[route] ?? 'This screen is not available to you.'}
      </p>
    </section>
  );
}

function Screen({ route, userEmail }: { route: RoutePath; userEmail: string }) {
  const { role, loadError } = useWorkspace();
  if (route === '/floor' || route === '/team' || route === '/compliance') {
    if (loadError) return <p className="form-error" role="alert">Could not load your workspace: {loadError.message}</p>;
    if (!role) return <p className="muted">Loading…</p>;
    if (!mayOpen(route, role)) return <NotAllowed route={route} />;
  }
  switch (route) {
    case '/':
      return (
        <div className="dial-layout">
          <PhoneDialer userEmail={userEmail} />
          <LiveLines userEmail={userEmail} />
        </div>
      );
    case '/session':
      return <SessionScreen userEmail={userEmail} />;
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
    case '/reports':
      return <ReportsScreen userEmail={userEmail} />;
    case '/floor':
      return <FloorScreen userEmail={userEmail} />;
    case '/team':
      return <TeamScreen userEmail={userEmail} />;
    case '/compliance':
      return <ComplianceScreen />;
    default: {
      const unreachable: never = route;
      throw new Error(`unknown route ${String(unreachable)}`);
    }
  }
}

/** An invitation link opened while signed in: it is for a new account, so it says how to use it. */
function JoinWhileSignedIn({ userEmail, onDone }: { userEmail: string; onDone(): void }) {
  const supabase = useSupabase();
  return (
    <section className="card" aria-label="Invitation">
      <p className="notice notice--warn" role="status" data-testid="join-signed-in">
        This is an invitation link for a new account, and you are signed in as {userEmail}. Sign out, then open the link again to
        create the invited account.
      </p>
      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => void supabase.auth.signOut()}>
          Sign out
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          Stay signed in
        </button>
      </div>
    </section>
  );
}

function Nav({ route, navigate }: { route: RoutePath; navigate(path: RoutePath): void }) {
  const { role } = useWorkspace();
  return (
    <nav className="nav" aria-label="Main">
      {routesFor(role).map(({ path, label }) => (
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
  );
}

function HeaderState({ userEmail }: { userEmail: string }) {
  const { role } = useWorkspace();
  return <MyState userEmail={userEmail} role={role} />;
}

function SignedInApp({ userEmail }: { userEmail: string }) {
  const supabase = useSupabase();
  const [route, navigate] = useRoute();
  const [isJoinLink, setJoinLink] = useState(() => window.location.pathname.replace(/\/+$/, '') === JOIN_PATH && readInvitationToken() !== null);
  return (
    <WorkspaceProvider>
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
          <HeaderState userEmail={userEmail} />
          <div className="topbar__user">
            <span className="topbar__email" data-testid="user-email">
              {userEmail}
            </span>
            <button type="button" className="button button--ghost button--small" onClick={() => void supabase.auth.signOut()}>
              Sign out
            </button>
          </div>
        </div>
        <Nav route={route} navigate={navigate} />
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {isJoinLink ? (
          <JoinWhileSignedIn
            userEmail={userEmail}
            onDone={() => {
              setJoinLink(false);
              navigate('/');
            }}
          />
        ) : (
          <Screen route={route} userEmail={userEmail} />
        )}
      </main>
    </SettingsProvider>
    </WorkspaceProvider>
  );
}

/** Signed out: the sign-in screen; signed in: the dialer and its screens. */
export function App() {
  const session = useSession();
  switch (session.kind) {
    case 'loading':
      return <p className="splash">Loading…</p>;
    case 'signed-out':
      return <AuthScreen invitationToken={readInvitationToken()} />;
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
