import type { SupabaseClient } from '@supabase/supabase-js';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SupabaseProvider } from '../../src/client/use-call-subscription.js';
import { App } from './app.js';
import { createAppClient } from './lib/create-app-client.js';
import './styles.css';

type Boot = { kind: 'loading' } | { kind: 'ready'; client: SupabaseClient } | { kind: 'failed'; message: string };

// Made once per page load: a second client would compete for the same stored session.
const clientReady = createAppClient();

/** Reads the server's settings, makes the one supabase-js client, then shows the app. */
function Root() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  useEffect(() => {
    clientReady.then(
      (client) => setBoot({ kind: 'ready', client }),
      (error: unknown) => setBoot({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  if (boot.kind === 'loading') return <p className="splash">Loading…</p>;
  if (boot.kind === 'failed') {
    return (
      <p className="splash form-error" role="alert">
        Cannot reach the Dialer server ({boot.message}). Reload the page to try again.
      </p>
    );
  }
  return (
    <SupabaseProvider client={boot.client}>
      <App />
    </SupabaseProvider>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
