/**
 * How OAuth token columns are bound to their row when encrypted (the `context` of
 * TokenCipher): a value moved to another row or column no longer decrypts. Shared by the
 * external-account service and snapshot import/export.
 */
export const TOKEN_COLUMNS = ['access_token', 'refresh_token', 'id_token', 'token_secret'] as const;
export type TokenColumn = (typeof TOKEN_COLUMNS)[number];

export function tokenContext(accountId: string, column: TokenColumn): string {
  return `external_accounts/${accountId}/${column}`;
}
