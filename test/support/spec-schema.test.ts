import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { assertArrayMatchesSpec, assertMatchesSpec } from './spec-schema.js';

const NOW = 1_700_690_400_000;

function emailAddress(): Record<string, unknown> {
  return {
    id: 'idn_2abc',
    object: 'email_address',
    email_address: 'ada@example.com',
    reserved: false,
    verification: {
      object: 'verification_admin',
      status: 'verified',
      strategy: 'admin',
      attempts: null,
      expire_at: null,
    },
    linked_to: [],
    created_at: NOW,
    updated_at: NOW,
  };
}

/** A fresh user as clerkd should emit it: every required key, nullable ones null. */
function user(): Record<string, unknown> {
  return {
    id: 'user_2abc',
    object: 'user',
    external_id: null,
    primary_email_address_id: 'idn_2abc',
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    username: null,
    first_name: 'Ada',
    last_name: null,
    locale: null,
    profile_image_url: 'https://img.clerk.com/xxxxxx',
    image_url: 'https://img.clerk.com/xxxxxx',
    has_image: false,
    public_metadata: {},
    private_metadata: {},
    unsafe_metadata: {},
    email_addresses: [emailAddress()],
    phone_numbers: [],
    web3_wallets: [],
    passkeys: [],
    password_enabled: false,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    mfa_enabled_at: null,
    mfa_disabled_at: null,
    external_accounts: [],
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: null,
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: null,
    updated_at: NOW,
    created_at: NOW,
    delete_self_enabled: true,
    create_organization_enabled: true,
    create_organizations_limit: null,
    last_active_at: null,
    legal_accepted_at: null,
  };
}

function assertFailsWith(fn: () => void, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AssertionError, 'expected an AssertionError');
    assert.match(err.message, pattern);
    return true;
  });
}

test('a complete valid User passes', () => {
  assertMatchesSpec('User', user());
  assertArrayMatchesSpec('User', [user(), user()]);
});

test('a User missing last_sign_in_at fails and names the property', () => {
  const u = user();
  delete u.last_sign_in_at;
  assertFailsWith(() => assertMatchesSpec('User', u), /last_sign_in_at/);
});

test('username: "" passes (it is a string) but username: 0 fails at /username', () => {
  assertMatchesSpec('User', { ...user(), username: '' });
  assertFailsWith(() => assertMatchesSpec('User', { ...user(), username: 0 }), /\/username: must be string/);
});

test('unknown / misspelled keys fail (additionalProperties: false is kept)', () => {
  assertFailsWith(() => assertMatchesSpec('User', { ...user(), last_signin_at: null }), /last_signin_at/);
  const e = emailAddress();
  e.verification = { ...(e.verification as object), strategyy: 'admin' };
  assertFailsWith(() => assertMatchesSpec('EmailAddress', e), /\/verification/);
});

test('EmailAddress: valid passes, missing linked_to fails, error path is nested inside a User', () => {
  assertMatchesSpec('EmailAddress', emailAddress());
  assertMatchesSpec('EmailAddress', { ...emailAddress(), verification: null });
  const e = emailAddress();
  delete e.linked_to;
  assertFailsWith(() => assertMatchesSpec('EmailAddress', e), /linked_to/);
  assertFailsWith(
    () => assertMatchesSpec('User', { ...user(), email_addresses: [e] }),
    /\/email_addresses\/0: must have required property 'linked_to'/,
  );
});

test('verification unions accept a variant even though the discriminator is not required', () => {
  const otp = { object: 'verification_otp', status: 'unverified', strategy: 'email_code', attempts: 0, expire_at: NOW };
  assertMatchesSpec('EmailAddress', { ...emailAddress(), verification: otp });
  // ... but a variant with the wrong object tag for its strategy fails.
  assertFailsWith(
    () =>
      assertMatchesSpec('EmailAddress', {
        ...emailAddress(),
        verification: { ...otp, object: 'verification_admin' },
      }),
    /\/verification/,
  );
});

test('TotalCount', () => {
  assertMatchesSpec('TotalCount', { object: 'total_count', total_count: 3 });
  assertFailsWith(() => assertMatchesSpec('TotalCount', { object: 'total_count', total_count: '3' }), /total_count/);
});

test('ClerkErrors: valid body passes, an error missing code fails', () => {
  assertMatchesSpec('ClerkErrors', {
    errors: [{ message: 'm', long_message: 'l', code: 'c', meta: {} }],
    clerk_trace_id: 't',
  });
  assertFailsWith(
    () =>
      assertMatchesSpec('ClerkErrors', {
        errors: [{ message: 'm', long_message: 'l', meta: {} }],
        clerk_trace_id: 't',
      }),
    /\/errors\/0: must have required property 'code'/,
  );
});

test('DeletedObject', () => {
  assertMatchesSpec('DeletedObject', { object: 'user', id: 'user_x', deleted: true });
  assertFailsWith(() => assertMatchesSpec('DeletedObject', { object: 'user', id: 'user_x' }), /deleted/);
});

test('assertArrayMatchesSpec rejects non-arrays and reports the failing index', () => {
  assertFailsWith(() => assertArrayMatchesSpec('User', user()), /must be array/);
  const bad = user();
  delete bad.banned;
  assertFailsWith(() => assertArrayMatchesSpec('User', [user(), bad]), /\/1: must have required property 'banned'/);
});

test('the error message lists every error (allErrors)', () => {
  const u = user();
  delete u.banned;
  delete u.locked;
  assertFailsWith(() => assertMatchesSpec('User', u), /banned[\s\S]*locked|locked[\s\S]*banned/);
});

test('OAuthAccessToken is an array schema in the spec', () => {
  assertMatchesSpec('OAuthAccessToken', [
    {
      object: 'oauth_access_token',
      external_account_id: 'eac_1',
      provider_user_id: '123',
      token: 'tok',
      expires_at: null,
      provider: 'oauth_google',
      public_metadata: {},
      label: null,
      scopes: ['email'],
    },
  ]);
  assertMatchesSpec('OAuthAccessToken', []);
});
