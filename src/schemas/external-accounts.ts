import { Type, type Static } from '@sinclair/typebox';
import { BoundedInteger, FreeFormObject, MAX_EXPIRES_IN_SECONDS, MAX_UNIX_MILLIS, Nullable } from './types.js';

/**
 * External accounts and their OAuth tokens: the control-surface bodies (clerkd's own, outside
 * /v1), the path parameters of the /v1 operations, and the OAuthAccessToken response (§3.11).
 */

/** Tokens are opaque to clerkd; ID tokens (JWTs) are the largest, a few KB. */
const Token = Nullable(Type.String({ maxLength: 16384 }));

const profileFields = {
  email_address: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
  first_name: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  last_name: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  image_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
  username: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  phone_number: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  /** Space-separated, as Clerk stores it, or an array of scopes. */
  approved_scopes: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 }), Type.Null()])),
  label: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
  public_metadata: Type.Optional(Nullable(FreeFormObject)),
};

const tokenFields = {
  access_token: Type.Optional(Token),
  refresh_token: Type.Optional(Token),
  id_token: Type.Optional(Token),
  /** OAuth 1.0 providers only. */
  token_secret: Type.Optional(Token),
  /** When the access token expires, unix milliseconds; null means it does not. */
  expires_at: Type.Optional(Nullable(BoundedInteger({ maximum: MAX_UNIX_MILLIS }))),
  /** The same as seconds from now, as a token response states it. */
  expires_in: Type.Optional(Nullable(BoundedInteger({ maximum: MAX_EXPIRES_IN_SECONDS }))),
};

export const CreateExternalAccountBody = Type.Object(
  {
    /** `oauth_google`, or `google` (the prefix is added). */
    provider: Type.String({ minLength: 1, maxLength: 64 }),
    provider_user_id: Type.String({ minLength: 1, maxLength: 1024 }),
    ...profileFields,
    ...tokenFields,
  },
  { additionalProperties: false },
);
export type CreateExternalAccountBody = Static<typeof CreateExternalAccountBody>;

/** Every field but the identity (provider, provider_user_id); omitted fields are kept, `null` clears. */
export const UpdateExternalAccountBody = Type.Object({ ...profileFields, ...tokenFields }, { additionalProperties: false });
export type UpdateExternalAccountBody = Static<typeof UpdateExternalAccountBody>;

export const ExternalAccountParams = Type.Object({
  user_id: Type.String(),
  external_account_id: Type.String(),
});

export const OAuthAccessTokenParams = Type.Object({
  user_id: Type.String(),
  provider: Type.String(),
});

export const OAuthAccessTokenQuery = Type.Object(
  {
    paginated: Type.Optional(Type.Boolean()),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 500 })),
    offset: Type.Optional(BoundedInteger()),
  },
  { additionalProperties: true },
);
export type OAuthAccessTokenQuery = Static<typeof OAuthAccessTokenQuery>;

export const OAuthAccessTokenResponse = Type.Object(
  {
    object: Type.Literal('oauth_access_token'),
    external_account_id: Type.String(),
    provider_user_id: Type.String(),
    token: Type.String(),
    expires_at: Nullable(Type.Integer()),
    provider: Type.String(),
    public_metadata: Type.Object({}, { additionalProperties: true }),
    label: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
    id_token: Type.Optional(Type.String()),
    token_secret: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type OAuthAccessTokenJson = Static<typeof OAuthAccessTokenResponse>;

/** The spec's OAuthAccessToken is a bare array; `paginated=true` (what @clerk/backend sends) wraps it. */
export const OAuthAccessTokenListResponse = Type.Array(OAuthAccessTokenResponse);
export const OAuthAccessTokenPageResponse = Type.Object({
  data: Type.Array(OAuthAccessTokenResponse),
  total_count: Type.Integer(),
});
export type OAuthAccessTokenPageJson = Static<typeof OAuthAccessTokenPageResponse>;
