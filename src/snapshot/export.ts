import type { Executor } from '../db/executor.js';
import type { ExternalAccountRow, UserRow } from '../db/schema.js';
import { TokenDecryptionError, type TokenCipher } from '../oauth/crypto.js';
import { parseMetadata } from '../users/metadata.js';
import { SnapshotError } from './errors.js';
import { snapshotRepository as repo } from './repository.js';
import { SNAPSHOT_VERSION, type Snapshot, type SnapshotExternalAccount, type SnapshotUser } from './schema.js';
import { TOKEN_COLUMNS, tokenContext } from '../oauth/token-context.js';
import { groupByUser } from '../users/repository.js';

/**
 * The whole database as one snapshot document, read in one transaction so it is consistent
 * even while a server writes. Every field is written; users and organizations are ordered by
 * (created_at, id), identifications and accounts as the API lists them, keys in a fixed
 * order, so exporting the same data twice gives the same bytes. OAuth tokens are decrypted:
 * the document holds them in plain text.
 */


function exportAccount(account: ExternalAccountRow, cipher: TokenCipher, path: string): SnapshotExternalAccount {
  const tokens: Record<(typeof TOKEN_COLUMNS)[number], string | null> = { access_token: null, refresh_token: null, id_token: null, token_secret: null };
  for (const column of TOKEN_COLUMNS) {
    const stored = account[tokenField(column)];
    try {
      tokens[column] = cipher.decryptNullable(stored, tokenContext(account.id, column));
    } catch (error) {
      if (error instanceof TokenDecryptionError) {
        throw new SnapshotError(`${path}.${column}`, 'could not be decrypted with this CLERKD_ENCRYPTION_KEY (was the key changed?)');
      }
      throw error;
    }
  }
  return {
    id: account.id,
    provider: account.provider,
    provider_user_id: account.providerUserId,
    email_address: account.emailAddress,
    first_name: account.firstName,
    last_name: account.lastName,
    image_url: account.imageUrl,
    username: account.username,
    phone_number: account.phoneNumber,
    approved_scopes: account.approvedScopes,
    public_metadata: parseMetadata(account.publicMetadata),
    label: account.label,
    ...tokens,
    access_token_expires_at: account.accessTokenExpiresAt,
    created_at: account.createdAt,
    updated_at: account.updatedAt,
  };
}

function tokenField(column: (typeof TOKEN_COLUMNS)[number]): 'accessToken' | 'refreshToken' | 'idToken' | 'tokenSecret' {
  return ({ access_token: 'accessToken', refresh_token: 'refreshToken', id_token: 'idToken', token_secret: 'tokenSecret' } as const)[column];
}

function backupCodes(user: UserRow): string[] | null {
  return user.backupCodes === null ? null : (JSON.parse(user.backupCodes) as string[]);
}

export function exportSnapshot(db: Executor, cipher: TokenCipher): Snapshot {
  const rows = db.transaction((tx) => repo.readAll(tx));
  const emails = groupByUser(rows.emailAddresses);
  const phones = groupByUser(rows.phoneNumbers);
  const wallets = groupByUser(rows.web3Wallets);
  const accounts = groupByUser(rows.externalAccounts);

  const users = rows.users.map((user, index): SnapshotUser => ({
    id: user.id,
    external_id: user.externalId,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    locale: user.locale,
    timezone: user.timezone,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: user.primaryPhoneNumberId,
    primary_web3_wallet_id: user.primaryWeb3WalletId,
    email_addresses: (emails.get(user.id) ?? []).map((row) => ({
      id: row.id,
      email_address: row.emailAddress,
      status: row.status,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
    })),
    phone_numbers: (phones.get(user.id) ?? []).map((row) => ({
      id: row.id,
      phone_number: row.phoneNumber,
      status: row.status,
      reserved_for_second_factor: row.reservedForSecondFactor,
      default_second_factor: row.defaultSecondFactor,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
    })),
    web3_wallets: (wallets.get(user.id) ?? []).map((row) => ({
      id: row.id,
      web3_wallet: row.web3Wallet,
      status: row.status,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
    })),
    password_digest: user.passwordDigest,
    password_hasher: user.passwordHasher,
    password_last_updated_at: user.passwordLastUpdatedAt,
    totp_secret: user.totpSecret,
    totp_last_used_step: user.totpLastUsedStep,
    backup_codes: backupCodes(user),
    mfa_enabled_at: user.mfaEnabledAt,
    mfa_disabled_at: user.mfaDisabledAt,
    banned: user.banned,
    locked: user.locked,
    lockout_expires_at: user.lockoutExpiresAt,
    failed_verification_attempts: user.failedVerificationAttempts,
    public_metadata: parseMetadata(user.publicMetadata),
    private_metadata: parseMetadata(user.privateMetadata),
    unsafe_metadata: parseMetadata(user.unsafeMetadata),
    profile_image_key: user.profileImageKey,
    last_sign_in_at: user.lastSignInAt,
    last_active_at: user.lastActiveAt,
    legal_accepted_at: user.legalAcceptedAt,
    delete_self_enabled: user.deleteSelfEnabled,
    create_organization_enabled: user.createOrganizationEnabled,
    create_organizations_limit: user.createOrganizationsLimit,
    bypass_client_trust: user.bypassClientTrust,
    external_accounts: (accounts.get(user.id) ?? []).map((account, i) => exportAccount(account, cipher, `users[${index}].external_accounts[${i}]`)),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  }));

  return {
    clerkd_snapshot: SNAPSHOT_VERSION,
    users,
    organizations: rows.organizations.map((organization) => ({
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      image_url: organization.imageUrl,
      public_metadata: parseMetadata(organization.publicMetadata),
      private_metadata: parseMetadata(organization.privateMetadata),
      max_allowed_memberships: organization.maxAllowedMemberships,
      admin_delete_enabled: organization.adminDeleteEnabled,
      created_by: organization.createdBy,
      created_at: organization.createdAt,
      updated_at: organization.updatedAt,
    })),
    organization_memberships: rows.memberships.map((membership) => ({
      id: membership.id,
      organization_id: membership.organizationId,
      user_id: membership.userId,
      role: membership.role,
      public_metadata: parseMetadata(membership.publicMetadata),
      private_metadata: parseMetadata(membership.privateMetadata),
      created_at: membership.createdAt,
      updated_at: membership.updatedAt,
    })),
  };
}

/** The snapshot as a file holds it: two-space indented JSON and a final newline. */
export function formatSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}
