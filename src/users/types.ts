import type { IncludeExclude, Order } from '../lists/params.js';

export type { IncludeExclude };
import type { EmailAddressRow, ExternalAccountRow, PhoneNumberRow, UserRow, Web3WalletRow } from '../db/schema.js';

/** A user with everything its Clerk JSON embeds, as the repository loads it. */
export interface UserAggregate {
  user: UserRow;
  emailAddresses: EmailAddressRow[];
  phoneNumbers: PhoneNumberRow[];
  web3Wallets: Web3WalletRow[];
  externalAccounts: ExternalAccountRow[];
}


export interface UserListFilter {
  emailAddresses?: string[];
  phoneNumbers?: string[];
  usernames?: string[];
  web3Wallets?: string[];
  externalIds?: IncludeExclude;
  userIds?: IncludeExclude;
  organizationIds?: IncludeExclude;
  query?: string;
  emailAddressQuery?: string;
  phoneNumberQuery?: string;
  usernameQuery?: string;
  nameQuery?: string;
  banned?: boolean;
  lastActiveAtBefore?: number;
  lastActiveAtAfter?: number;
  createdAtBefore?: number;
  createdAtAfter?: number;
  lastSignInAtBefore?: number;
  lastSignInAtAfter?: number;
  provider?: string;
  providerUserIds?: string[];
}

export const USER_ORDER_FIELDS = [
  'created_at',
  'updated_at',
  'email_address',
  'web3wallet',
  'first_name',
  'last_name',
  'phone_number',
  'username',
  'last_active_at',
  'last_sign_in_at',
] as const;
export type UserOrderField = (typeof USER_ORDER_FIELDS)[number];

export type UserOrder = Order<UserOrderField>;

export interface UserPage {
  limit: number;
  offset: number;
  /** Keyset cursor: list the users after this one in `created_at` order. */
  startingAfter?: { createdAt: number; id: string };
}
