import type { OAuthAccessTokenJson, OAuthAccessTokenPageJson } from '../../schemas/external-accounts.js';
import type { AccessTokenPage, AccessTokenView } from '../../users/external-accounts.js';
import { metadataOrEmpty } from '../../users/metadata.js';
import { wireIntegerOrNull } from './wire-integer.js';

/**
 * OAuthAccessToken (spec §3.11): the only place a decrypted token becomes JSON. `id_token`
 * and `token_secret` appear only when the account holds one; `scopes` always (OAuth 2.0).
 */
export function serializeOAuthAccessToken(view: AccessTokenView): OAuthAccessTokenJson {
  const { account } = view;
  return {
    object: 'oauth_access_token',
    external_account_id: account.id,
    provider_user_id: account.providerUserId,
    token: view.token,
    expires_at: wireIntegerOrNull(account.accessTokenExpiresAt),
    provider: account.provider,
    public_metadata: metadataOrEmpty(account.publicMetadata),
    label: account.label,
    scopes: account.approvedScopes.split(' ').filter((scope) => scope !== ''),
    ...(view.idToken === null ? {} : { id_token: view.idToken }),
    ...(view.tokenSecret === null ? {} : { token_secret: view.tokenSecret }),
  };
}

/** The spec's bare array. */
export function serializeOAuthAccessTokenList(page: AccessTokenPage): OAuthAccessTokenJson[] {
  return page.tokens.map(serializeOAuthAccessToken);
}

/** `paginated=true`: what @clerk/backend asks for and reads. */
export function serializeOAuthAccessTokenPage(page: AccessTokenPage): OAuthAccessTokenPageJson {
  return { data: serializeOAuthAccessTokenList(page), total_count: page.totalCount };
}
