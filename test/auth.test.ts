import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from './support/server.js';


describe.each(DATABASE_KINDS)('Supabase Auth compatible sign-in on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server.close();
  });

  it('signs up, signs in, reads the user, refreshes and signs out with supabase-js', async () => {
    const email = `auth-${Date.now()}@example.com`;
    const client = server.client();
    const signUp = await client.auth.signUp({ email, password: 'a long password' });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session?.access_token).toBeTruthy();
    expect(signUp.data.user?.email).toBe(email);

    const [stored] = await server.db.sql<{ encrypted_password: string }>`select encrypted_password from auth.users where email = ${email}`;
    expect(stored?.encrypted_password).toMatch(/^scrypt\$/);
    expect(stored?.encrypted_password).not.toContain('a long password');
    const [settings] = await server.db.sql<{ use_mock_dialer: boolean }>`select use_mock_dialer from dialer_settings where user_email = ${email}`;
    expect(settings?.use_mock_dialer).toBe(true);

    const other = server.client();
    const signIn = await other.auth.signInWithPassword({ email: email.toUpperCase(), password: 'a long password' });
    expect(signIn.error).toBeNull();
    const token = signIn.data.session?.access_token ?? '';
    const { data: claims } = await server.tokens.verify(token).then((r) => ({ data: r.ok ? r.value : undefined }));
    expect(claims).toMatchObject({ sub: signIn.data.user?.id, email, role: 'authenticated' });
    expect(claims?.exp).toBeGreaterThan(Date.now() / 1000);

    const user = await other.auth.getUser();
    expect(user.error).toBeNull();
    expect(user.data.user?.email).toBe(email);

    const firstRefresh = signIn.data.session?.refresh_token ?? '';
    const refreshed = await other.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session?.refresh_token).not.toBe(firstRefresh);

    // A used refresh token is good again only within the reuse interval (two tabs refreshing at
    // once); played back after it, the token has leaked and the session ends.
    const reuse = await server.client().auth.refreshSession({ refresh_token: firstRefresh });
    expect(reuse.error).toBeNull();
    await server.db.sql`update auth.refresh_tokens set revoked_at = revoked_at - interval '1 minute' where revoked`;
    const replay = await server.client().auth.refreshSession({ refresh_token: firstRefresh });
    expect(replay.error?.code).toBe('refresh_token_already_used');
    expect((await other.auth.getUser()).error).not.toBeNull();

    const signOut = await client.auth.signOut();
    expect(signOut.error).toBeNull();
    const afterSignOut = await server.client().auth.getUser(signUp.data.session?.access_token ?? '');
    expect(afterSignOut.error).not.toBeNull();
  });

  it('refuses a wrong password and an unknown user alike, writing nothing', async () => {
    const { email } = await server.signUp('wrongpw');
    const [before] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.sessions`;
    const wrong = await server.client().auth.signInWithPassword({ email, password: 'not the password' });
    expect(wrong.error?.status).toBe(400);
    expect(wrong.error?.code).toBe('invalid_credentials');
    const unknown = await server.client().auth.signInWithPassword({ email: 'nobody@example.com', password: 'whatever123' });
    expect(unknown.error?.code).toBe('invalid_credentials');
    expect(unknown.error?.message).toBe(wrong.error?.message);
    const [after] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.sessions`;
    expect(after?.n).toBe(before?.n);
  });

  it('refuses a duplicate account, a weak password and a malformed email', async () => {
    const { email } = await server.signUp('dup');
    const again = await server.client().auth.signUp({ email, password: 'another password' });
    expect(again.error?.code).toBe('user_already_exists');
    const weak = await server.client().auth.signUp({ email: `weak-${Date.now()}@example.com`, password: 'short' });
    expect(weak.error?.code).toBe('weak_password');
    const bad = await server.client().auth.signUp({ email: 'not-an-email', password: 'long enough pw' });
    expect(bad.error?.status).toBe(400);
    const [count] = await server.db.sql<{ n: number }>`select count(*)::int as n from auth.users where email like 'weak-%' or email = 'not-an-email'`;
    expect(count?.n).toBe(0);
  });

  it('refuses forged and expired tokens in GoTrue error shape', async () => {
    const { userId, email } = await server.signUp('forged');
    const forged = await new SignJWT({ sub: userId, email, role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('dialer')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-of-sufficient-length!!'));
    const forgedResult = await server.client().auth.getUser(forged);
    expect(forgedResult.error?.status).toBe(403);
    expect(forgedResult.error?.code).toBe('bad_jwt');

    const expired = await new SignJWT({ sub: userId, email, role: 'authenticated', session_id: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('dialer')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await fetch(`${server.url}/auth/v1/user`, { headers: { apikey: server.tokens.anonKey, authorization: `Bearer ${expired}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'bad_jwt', message: expect.stringMatching(/expired/) });
  });

  it('serves the public client configuration and requires the API key', async () => {
    const config = (await (await fetch(`${server.url}/config.json`)).json()) as { url: string; anonKey: string };
    expect(config).toEqual({ url: server.url, anonKey: server.tokens.anonKey });
    const noKey = await fetch(`${server.url}/auth/v1/user`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ code: 'unauthorized' });
  });
});
