import { errors } from '../errors.js';
import type { UserCountQuery, UserListQuery } from '../schemas/user-list-query.js';
import { includeExclude, parseOrder } from '../lists/params.js';
import { USER_ORDER_FIELDS, type UserListFilter, type UserOrder } from './types.js';

/** Turns validated list/count query parameters into the repository's filter, order and page. */

const DEFAULT_ORDER: UserOrder = { field: 'created_at', direction: 'desc' };


function lowered(values: string[] | undefined): string[] | undefined {
  return values?.map((value) => value.trim().toLowerCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function parseUserFilter(q: UserCountQuery): UserListFilter {
  if (q.provider !== undefined && !q.provider_user_id?.length) {
    throw errors.conditionalParamMissing('provider_user_id', '`provider` is provided');
  }
  if (q.provider_user_id?.length && q.provider === undefined) {
    throw errors.conditionalParamMissing('provider', '`provider_user_id` is provided');
  }
  // `last_active_at_since` (deprecated) is inclusive; `_after` is exclusive.
  const since = q.last_active_at_since === undefined ? undefined : q.last_active_at_since - 1;
  const after = [q.last_active_at_after, since].filter((v): v is number => v !== undefined);
  return {
    emailAddresses: lowered(q.email_address),
    phoneNumbers: q.phone_number?.map((value) => value.replace(/^ /, '+').trim().replace(/[\s().-]/g, '')),
    usernames: lowered(q.username),
    web3Wallets: lowered(q.web3_wallet),
    externalIds: includeExclude(q.external_id),
    userIds: includeExclude(q.user_id),
    organizationIds: includeExclude(q.organization_id),
    query: nonEmpty(q.query?.trim()),
    emailAddressQuery: nonEmpty(q.email_address_query?.trim()),
    phoneNumberQuery: nonEmpty(q.phone_number_query?.trim()),
    usernameQuery: nonEmpty(q.username_query?.trim()),
    nameQuery: nonEmpty(q.name_query?.trim()),
    banned: q.banned,
    lastActiveAtBefore: q.last_active_at_before,
    lastActiveAtAfter: after.length ? Math.max(...after) : undefined,
    createdAtBefore: q.created_at_before,
    createdAtAfter: q.created_at_after,
    lastSignInAtBefore: q.last_sign_in_at_before,
    lastSignInAtAfter: q.last_sign_in_at_after,
    provider: q.provider === undefined ? undefined : q.provider.startsWith('oauth_') ? q.provider : `oauth_${q.provider}`,
    providerUserIds: q.provider_user_id,
  };
}

/** Only the first `order_by` counts; no sign (or a `+` decoded to a space) means ascending. */
export function parseUserOrder(orderBy: string[] | undefined): UserOrder {
  return parseOrder(orderBy?.[0], USER_ORDER_FIELDS, DEFAULT_ORDER);
}

export function checkCursorRules(q: UserListQuery, order: UserOrder): void {
  if (q.starting_after === undefined) return;
  if (order.field !== 'created_at') {
    throw errors.conditionalParamDisallowed('starting_after', '`order_by` is not `created_at`');
  }
  if (q.offset) throw errors.conditionalParamDisallowed('starting_after', '`offset` is not zero');
}
