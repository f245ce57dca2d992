import { describe, expect, it } from 'vitest';
import { hashPassword, UNKNOWN_USER_PASSWORD_HASH, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('ED2 the unknown-user hash has a real hash’s parameters and key length, so checking it costs the same, and matches nothing', async () => {
    const real = (await hashPassword('correct horse battery')).split('$');
    const dummy = UNKNOWN_USER_PASSWORD_HASH.split('$');
    expect(dummy.slice(0, 4)).toEqual(real.slice(0, 4));
    expect(Buffer.from(dummy[5] ?? '', 'base64').length).toBe(Buffer.from(real[5] ?? '', 'base64').length);
    expect(await verifyPassword('correct horse battery', UNKNOWN_USER_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('', UNKNOWN_USER_PASSWORD_HASH)).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong horse battery', stored)).toBe(false);
  });
});
