import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './types.js';

/**
 * Response schemas: fast-json-stringify writes responses from these, and the OpenAPI
 * document is built from them. Nullable fields are `[type, 'null']` so `null` is never
 * coerced to `""` or `0`; metadata is open so its keys pass through untouched.
 */

const Metadata = Type.Object({}, { additionalProperties: true });
const Millis = Type.Integer();
const NullableMillis = Nullable(Type.Integer());

const Verification = Nullable(
  Type.Object(
    {
      object: Type.String(),
      status: Type.String(),
      strategy: Type.String(),
      attempts: Nullable(Type.Integer()),
      expire_at: Nullable(Type.Integer()),
    },
    { additionalProperties: true },
  ),
);

const IdentificationLink = Type.Object({ type: Type.String(), id: Type.String() });

export const EmailAddressResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('email_address'),
  email_address: Type.String(),
  reserved: Type.Boolean(),
  verification: Verification,
  linked_to: Type.Array(IdentificationLink),
  matches_sso_connection: Type.Boolean(),
  created_at: Millis,
  updated_at: Millis,
});

export const PhoneNumberResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('phone_number'),
  phone_number: Type.String(),
  reserved_for_second_factor: Type.Boolean(),
  default_second_factor: Type.Boolean(),
  reserved: Type.Boolean(),
  verification: Verification,
  linked_to: Type.Array(IdentificationLink),
  backup_codes: Nullable(Type.Array(Type.String())),
  created_at: Millis,
  updated_at: Millis,
});

export const Web3WalletResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('web3_wallet'),
  web3_wallet: Type.String(),
  verification: Verification,
  created_at: Millis,
  updated_at: Millis,
});

export const ExternalAccountResponse = Type.Object(
  {
    object: Type.String(),
    id: Type.String(),
    provider: Type.String(),
    identification_id: Type.String(),
    provider_user_id: Type.String(),
    approved_scopes: Type.String(),
    email_address: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    image_url: Nullable(Type.String()),
    username: Nullable(Type.String()),
    phone_number: Nullable(Type.String()),
    public_metadata: Metadata,
    label: Nullable(Type.String()),
    created_at: Millis,
    updated_at: Millis,
    verification: Verification,
  },
  { additionalProperties: true },
);

export const UserResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('user'),
  external_id: Nullable(Type.String()),
  primary_email_address_id: Nullable(Type.String()),
  primary_phone_number_id: Nullable(Type.String()),
  primary_web3_wallet_id: Nullable(Type.String()),
  username: Nullable(Type.String()),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  locale: Nullable(Type.String()),
  /** Not in the spec's User; @clerk/backend reads it. */
  timezone: Nullable(Type.String()),
  profile_image_url: Type.String(),
  image_url: Type.String(),
  has_image: Type.Boolean(),
  public_metadata: Metadata,
  private_metadata: Metadata,
  unsafe_metadata: Metadata,
  email_addresses: Type.Array(EmailAddressResponse),
  phone_numbers: Type.Array(PhoneNumberResponse),
  web3_wallets: Type.Array(Web3WalletResponse),
  passkeys: Type.Array(Type.Object({}, { additionalProperties: true })),
  password_enabled: Type.Boolean(),
  two_factor_enabled: Type.Boolean(),
  totp_enabled: Type.Boolean(),
  backup_code_enabled: Type.Boolean(),
  mfa_enabled_at: NullableMillis,
  mfa_disabled_at: NullableMillis,
  password_last_updated_at: NullableMillis,
  external_accounts: Type.Array(ExternalAccountResponse),
  saml_accounts: Type.Array(Type.Object({}, { additionalProperties: true })),
  enterprise_accounts: Type.Array(Type.Object({}, { additionalProperties: true })),
  last_sign_in_at: NullableMillis,
  banned: Type.Boolean(),
  locked: Type.Boolean(),
  deprovisioned: Type.Boolean(),
  lockout_expires_in_seconds: NullableMillis,
  verification_attempts_remaining: Nullable(Type.Integer()),
  updated_at: Millis,
  created_at: Millis,
  delete_self_enabled: Type.Boolean(),
  create_organization_enabled: Type.Boolean(),
  create_organizations_limit: Nullable(Type.Integer()),
  last_active_at: NullableMillis,
  legal_accepted_at: NullableMillis,
  bypass_client_trust: Type.Boolean(),
});

export const UserListResponse = Type.Array(UserResponse);

export const DeletedObjectResponse = Type.Object({
  object: Type.String(),
  id: Type.String(),
  deleted: Type.Boolean(),
});

export const TotalCountResponse = Type.Object({
  object: Type.Literal('total_count'),
  total_count: Type.Integer(),
});

export const ClerkErrorsResponse = Type.Object({
  errors: Type.Array(
    Type.Object({
      message: Type.String(),
      long_message: Type.String(),
      code: Type.String(),
      meta: Type.Object({}, { additionalProperties: true }),
    }),
  ),
  clerk_trace_id: Type.String(),
});

export type UserJson = Static<typeof UserResponse>;
export type EmailAddressJson = Static<typeof EmailAddressResponse>;
export type PhoneNumberJson = Static<typeof PhoneNumberResponse>;
export type Web3WalletJson = Static<typeof Web3WalletResponse>;
export type ExternalAccountJson = Static<typeof ExternalAccountResponse>;
export type VerificationJson = Static<typeof Verification>;
export type DeletedObjectJson = Static<typeof DeletedObjectResponse>;
export type TotalCountJson = Static<typeof TotalCountResponse>;
