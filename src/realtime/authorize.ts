import type { Row } from '../db/database.js';

/** Who a realtime subscription acts as, from its access token. */
export type Viewer = { readonly role: 'anon' } | { readonly role: 'authenticated'; readonly email: string } | { readonly role: 'service_role' };

/**
 * AU1 for realtime: whether the viewer could read this row through REST. The row-level
 * security policies of migration 0003 let a user read exactly the rows whose `user_email` is
 * theirs, the service role reads everything and anon nothing; a test checks this agrees with
 * the database's own answer for every subscribable table.
 */
export function canViewRow(viewer: Viewer, row: Row | null): boolean {
  if (!row) return false;
  switch (viewer.role) {
    case 'service_role':
      return true;
    case 'authenticated':
      return row['user_email'] === viewer.email;
    case 'anon':
      return false;
    default: {
      const unreachable: never = viewer;
      throw new Error(`unknown viewer ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The owner a row is delivered to, so the room can look subscribers up by user. */
export function ownerOf(row: Row | null): string | undefined {
  const owner = row?.['user_email'];
  return typeof owner === 'string' ? owner : undefined;
}
