import { describe, expect, it } from 'vitest';
import { INVITATION_PROBLEM_MESSAGES, INVITATION_PROBLEMS, invitationAcceptPath, isRole, ROLES, seesWholeWorkspace } from './workspace.js';

describe('workspace vocabulary', () => {
  it('admins and managers see the whole workspace, reps their own rows', () => {
    expect(ROLES.filter(seesWholeWorkspace)).toEqual(['admin', 'manager']);
  });

  it('isRole takes exactly the three roles', () => {
    expect(ROLES.every(isRole)).toBe(true);
    for (const value of ['owner', 'Admin', '', null, 1]) expect(isRole(value)).toBe(false);
  });

  it('every invitation problem has a message that names it', () => {
    const words = { unknown: /unknown/, revoked: /revoked/, already_used: /already used/, expired: /expired/, other_email: /another email/ };
    for (const problem of INVITATION_PROBLEMS) expect(INVITATION_PROBLEM_MESSAGES[problem]).toMatch(words[problem]);
  });

  it('the accept path carries the token, encoded', () => {
    expect(invitationAcceptPath('abc_-123')).toBe('/join?token=abc_-123');
    expect(invitationAcceptPath('a+b/c')).toBe('/join?token=a%2Bb%2Fc');
  });
});
