import type { LockoutPolicy } from '../../config.js';
import type { EmailAddressRow, ExternalAccountRow, PhoneNumberRow, UserRow, Web3WalletRow } from '../../db/schema.js';
import { lockState } from '../../users/lock-state.js';
import { metadataOrEmpty } from '../../users/metadata.js';
import type { UserAggregate } from '../../users/types.js';
import type {
  DeletedObjectJson,
  EmailAddressJson,
  ExternalAccountJson,
  PhoneNumberJson,
  TotalCountJson,
  UserJson,
  VerificationJson,
  Web3WalletJson,
} from '../../schemas/user-response.js';
import { wireInteger, wireIntegerOrNull } from './wire-integer.js';

/**
 * The only place a stored user becomes Clerk JSON. Every key the spec's User requires is
 * written, `null` where nullable (the PHP and Python SDKs reject a user missing one), and
 * every verification carries its `object` discriminator.
 */

export interface SerializeContext {
  publicUrl: string;
  lockout: LockoutPolicy;
  now: number;
}

/** Identifications created through the Backend API are verified by the admin strategy. */
function adminVerification(status: 'verified' | 'reserved'): VerificationJson {
  if (status !== 'verified') return null;
  return { object: 'verification_admin', status: 'verified', strategy: 'admin', attempts: null, expire_at: null };
}


function linksTo(email: string, accounts: ExternalAccountRow[]): EmailAddressJson['linked_to'] {
  return accounts.filter((account) => account.emailAddress.toLowerCase() === email).map((account) => ({ type: account.provider, id: account.id }));
}

export function serializeEmailAddress(row: EmailAddressRow, accounts: ExternalAccountRow[] = []): EmailAddressJson {
  return {
    id: row.id,
    object: 'email_address' as const,
    email_address: row.emailAddress,
    reserved: row.status === 'reserved',
    verification: adminVerification(row.status),
    linked_to: linksTo(row.emailAddress, accounts),
    matches_sso_connection: false,
    created_at: wireInteger(row.createdAt),
    updated_at: wireInteger(row.updatedAt),
  };
}

export function serializePhoneNumber(row: PhoneNumberRow): PhoneNumberJson {
  return {
    id: row.id,
    object: 'phone_number' as const,
    phone_number: row.phoneNumber,
    reserved_for_second_factor: row.reservedForSecondFactor,
    default_second_factor: row.defaultSecondFactor,
    reserved: row.status === 'reserved',
    verification: adminVerification(row.status),
    linked_to: [],
    backup_codes: null,
    created_at: wireInteger(row.createdAt),
    updated_at: wireInteger(row.updatedAt),
  };
}

export function serializeWeb3Wallet(row: Web3WalletRow): Web3WalletJson {
  return {
    id: row.id,
    object: 'web3_wallet' as const,
    web3_wallet: row.web3Wallet,
    verification: adminVerification(row.status),
    created_at: wireInteger(row.createdAt),
    updated_at: wireInteger(row.updatedAt),
  };
}

export function serializeExternalAccount(row: ExternalAccountRow, identificationId: string): ExternalAccountJson {
  return {
    object: 'external_account',
    id: row.id,
    provider: row.provider,
    identification_id: identificationId,
    provider_user_id: row.providerUserId,
    approved_scopes: row.approvedScopes,
    email_address: row.emailAddress,
    first_name: row.firstName,
    last_name: row.lastName,
    image_url: row.imageUrl,
    username: row.username,
    phone_number: row.phoneNumber,
    public_metadata: metadataOrEmpty(row.publicMetadata),
    label: row.label,
    created_at: wireInteger(row.createdAt),
    updated_at: wireInteger(row.updatedAt),
    verification: {
      object: 'verification_oauth',
      status: 'verified',
      strategy: row.provider,
      attempts: null,
      expire_at: wireIntegerOrNull(row.createdAt),
    },
  };
}

/** Backup codes are stored as a JSON array; text that is not one reads as none. */
function hasBackupCodes(stored: string | null): boolean {
  if (stored === null) return false;
  try {
    const codes: unknown = JSON.parse(stored);
    return Array.isArray(codes) && codes.length > 0;
  } catch {
    return false;
  }
}

export function imageUrl(user: Pick<UserRow, 'profileImageKey'>, publicUrl: string): string {
  return user.profileImageKey ? `${publicUrl}/images/${user.profileImageKey}` : `${publicUrl}/images/default-avatar.svg`;
}

export function serializeUser(aggregate: UserAggregate, ctx: SerializeContext): UserJson {
  const { user, emailAddresses, phoneNumbers, web3Wallets, externalAccounts } = aggregate;
  const lock = lockState(user, ctx.lockout, ctx.now);
  const totpEnabled = user.totpSecret !== null;
  const backupCodeEnabled = hasBackupCodes(user.backupCodes);
  const url = imageUrl(user, ctx.publicUrl);
  const identificationFor = (account: ExternalAccountRow) =>
    emailAddresses.find((email) => email.emailAddress === account.emailAddress.toLowerCase())?.id ?? account.id;
  return {
    id: user.id,
    object: 'user' as const,
    external_id: user.externalId,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: user.primaryPhoneNumberId,
    primary_web3_wallet_id: user.primaryWeb3WalletId,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    locale: user.locale,
    timezone: user.timezone,
    profile_image_url: url,
    image_url: url,
    has_image: user.profileImageKey !== null,
    public_metadata: metadataOrEmpty(user.publicMetadata),
    private_metadata: metadataOrEmpty(user.privateMetadata),
    unsafe_metadata: metadataOrEmpty(user.unsafeMetadata),
    email_addresses: emailAddresses.map((row) => serializeEmailAddress(row, externalAccounts)),
    phone_numbers: phoneNumbers.map(serializePhoneNumber),
    web3_wallets: web3Wallets.map(serializeWeb3Wallet),
    passkeys: [],
    password_enabled: user.passwordDigest !== null,
    two_factor_enabled: totpEnabled || backupCodeEnabled || phoneNumbers.some((phone) => phone.reservedForSecondFactor),
    totp_enabled: totpEnabled,
    backup_code_enabled: backupCodeEnabled,
    mfa_enabled_at: wireIntegerOrNull(user.mfaEnabledAt),
    mfa_disabled_at: wireIntegerOrNull(user.mfaDisabledAt),
    password_last_updated_at: wireIntegerOrNull(user.passwordLastUpdatedAt),
    external_accounts: externalAccounts.map((account) => serializeExternalAccount(account, identificationFor(account))),
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: wireIntegerOrNull(user.lastSignInAt),
    banned: user.banned,
    locked: lock.locked,
    deprovisioned: false,
    lockout_expires_in_seconds: wireIntegerOrNull(lock.lockoutExpiresInSeconds),
    verification_attempts_remaining: wireIntegerOrNull(lock.verificationAttemptsRemaining),
    updated_at: wireInteger(user.updatedAt),
    created_at: wireInteger(user.createdAt),
    delete_self_enabled: user.deleteSelfEnabled,
    create_organization_enabled: user.createOrganizationEnabled,
    create_organizations_limit: wireIntegerOrNull(user.createOrganizationsLimit),
    last_active_at: wireIntegerOrNull(user.lastActiveAt),
    legal_accepted_at: wireIntegerOrNull(user.legalAcceptedAt),
    bypass_client_trust: user.bypassClientTrust,
  };
}

export function serializeDeletedUser(id: string): DeletedObjectJson {
  return { object: 'user', id, deleted: true };
}

export function serializeTotalCount(count: number): TotalCountJson {
  return { object: 'total_count' as const, total_count: count };
}
