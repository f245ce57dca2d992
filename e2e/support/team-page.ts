import type { Page } from 'playwright-core';
import type { Role } from '../../src/core/workspace.js';
import type { TestUser } from './dialer-page.js';

export type TeamScreen = 'Dial' | 'Leads' | 'History' | 'Stats' | 'Reports' | 'Floor' | 'Compliance' | 'Team' | 'Settings';

export async function goToScreen(page: Page, screen: TeamScreen): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen, exact: true }).click();
}

/** The screens the member finds in the nav, in order. */
export async function navLinks(page: Page): Promise<string[]> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Reports', exact: true }).waitFor();
  return nav.getByRole('link').allTextContents();
}

const ROLE_WORD: Readonly<Record<Role, string>> = { admin: 'Admin', manager: 'Manager', rep: 'Rep' };

/** Waits until the header shows the member's role, as the server told the app. */
export async function waitForRole(page: Page, role: Role): Promise<void> {
  await page.getByTestId('my-role').filter({ hasText: ROLE_WORD[role] }).waitFor();
}

/** On the Team screen: creates an invitation and returns the link an admin would copy. */
export async function invite(page: Page, role: Role, inviteeEmail?: string): Promise<string> {
  await goToScreen(page, 'Team');
  const form = page.getByRole('form', { name: 'Invite someone' });
  await form.getByLabel('Role').selectOption(role);
  await form.getByLabel('Email (optional)').fill(inviteeEmail ?? '');
  const before = await page.getByTestId('invitation-link').getByLabel('Invitation link').inputValue().catch(() => '');
  await form.getByRole('button', { name: 'Create invitation link' }).click();
  const field = page.getByTestId('invitation-link').getByLabel('Invitation link');
  await field.waitFor();
  for (let attempt = 0; attempt < 100; attempt++) {
    const link = await field.inputValue();
    if (link !== before) return link;
    await page.waitForTimeout(50);
  }
  throw new Error('no new invitation link appeared');
}

/** Opens an invitation link signed out and creates the invited account. */
export async function join(page: Page, link: string, user: TestUser): Promise<void> {
  await page.goto(link);
  await page.getByTestId('join-intro').waitFor();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Join the team' }).click();
}

export async function dialNumber(page: Page, number: string): Promise<void> {
  await goToScreen(page, 'Dial');
  await page.getByLabel('Phone number').fill(number);
  await page.getByRole('button', { name: 'Call', exact: true }).click();
}
