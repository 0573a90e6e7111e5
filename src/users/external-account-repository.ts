import { and, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../db/executor.js';
import { emailAddresses, externalAccounts, users, type ExternalAccountRow } from '../db/schema.js';

/**
 * Every SQL statement about external accounts and their OAuth tokens. Token columns hold
 * ciphertext only; this module never sees a plaintext token.
 */

export type NewExternalAccountRow = typeof externalAccounts.$inferInsert;
export type ExternalAccountChanges = Partial<Omit<NewExternalAccountRow, 'id' | 'userId' | 'createdAt'>>;

/** The columns a token refresh writes. */
export type TokenColumns = Pick<NewExternalAccountRow, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'idToken' | 'approvedScopes' | 'updatedAt'>;

/** Accounts a token list shows: those with a token to hand out, or one to get it with. */
function holdsTokens() {
  return or(isNotNull(externalAccounts.accessToken), isNotNull(externalAccounts.refreshToken));
}

/** Accounts in the order they were linked, as the User's `external_accounts` lists them. */
const inserted = sql`rowid`;

export const externalAccountRepository = {
  findAccount(x: Executor, id: string): ExternalAccountRow | undefined {
    return x.select().from(externalAccounts).where(eq(externalAccounts.id, id)).get();
  },

  findOwnedAccount(x: Executor, userId: string, id: string): ExternalAccountRow | undefined {
    return x
      .select()
      .from(externalAccounts)
      .where(and(eq(externalAccounts.id, id), eq(externalAccounts.userId, userId)))
      .get();
  },

  findByProviderUserId(x: Executor, provider: string, providerUserId: string): ExternalAccountRow | undefined {
    return x
      .select()
      .from(externalAccounts)
      .where(and(eq(externalAccounts.provider, provider), eq(externalAccounts.providerUserId, providerUserId)))
      .get();
  },

  insertAccount(x: Executor, row: NewExternalAccountRow): ExternalAccountRow {
    return x.insert(externalAccounts).values(row).returning().get();
  },

  updateAccount(x: Executor, id: string, changes: ExternalAccountChanges): ExternalAccountRow | undefined {
    return x.update(externalAccounts).set(changes).where(eq(externalAccounts.id, id)).returning().get();
  },

  /**
   * Stores refreshed tokens only if the refresh token is still the one the refresh used
   * (compared as stored ciphertext), so a refresh that lost a race to another process never
   * overwrites the newer tokens. Returns the row when it was written.
   */
  storeRefreshedTokens(x: Executor, id: string, usedRefreshToken: string, tokens: TokenColumns): ExternalAccountRow | undefined {
    return x
      .update(externalAccounts)
      .set(tokens)
      .where(and(eq(externalAccounts.id, id), eq(externalAccounts.refreshToken, usedRefreshToken)))
      .returning()
      .get();
  },

  deleteOwnedAccount(x: Executor, userId: string, id: string): boolean {
    return x
      .delete(externalAccounts)
      .where(and(eq(externalAccounts.id, id), eq(externalAccounts.userId, userId)))
      .run().changes > 0;
  },

  countTokenAccounts(x: Executor, userId: string, provider: string): number {
    const row = x
      .select({ count: sql<number>`count(*)` })
      .from(externalAccounts)
      .where(and(eq(externalAccounts.userId, userId), eq(externalAccounts.provider, provider), holdsTokens()))
      .get();
    return row?.count ?? 0;
  },

  listTokenAccounts(x: Executor, userId: string, provider: string, limit: number, offset: number): ExternalAccountRow[] {
    return x
      .select()
      .from(externalAccounts)
      .where(and(eq(externalAccounts.userId, userId), eq(externalAccounts.provider, provider), holdsTokens()))
      .orderBy(inserted)
      .limit(limit)
      .offset(offset)
      .all();
  },

  /** The id of the user's email address equal to `email` (stored lowercased), if any. */
  emailAddressId(x: Executor, userId: string, email: string): string | undefined {
    return x
      .select({ id: emailAddresses.id })
      .from(emailAddresses)
      .where(and(eq(emailAddresses.userId, userId), eq(emailAddresses.emailAddress, email.toLowerCase())))
      .get()?.id;
  },

  /** Linking or unlinking an account changes the user: its `updated_at` moves. */
  touchUser(x: Executor, userId: string, now: number): void {
    x.update(users).set({ updatedAt: now }).where(eq(users.id, userId)).run();
  },
};
