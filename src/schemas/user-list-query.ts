import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { BoundedInteger, MAX_UNIX_MILLIS } from './types.js';

/**
 * Query parameters of GET /users and GET /users/count. Repeated keys arrive as arrays and a
 * single key as a string; the querystring validator coerces both to arrays (`coerceTypes: 'array'`).
 * Unknown parameters are ignored, as Clerk does.
 */

/** The annotation src/http/validation-errors.ts reads to pick a precise Clerk code. */
export const CLERK_ERROR_KEYWORD = 'x-clerk-error';

const ValueList = Type.Array(Type.String(), { maxItems: 100 });
const UnixMillis = BoundedInteger({ maximum: MAX_UNIX_MILLIS, [CLERK_ERROR_KEYWORD]: 'form_param_invalid_date' });

function optional<T extends Record<string, TSchema>>(props: T) {
  return Object.fromEntries(Object.entries(props).map(([key, schema]) => [key, Type.Optional(schema)])) as { [K in keyof T]: TOptional<T[K]> };
}

const filterProperties = optional({
  email_address: ValueList,
  phone_number: ValueList,
  external_id: ValueList,
  username: ValueList,
  web3_wallet: ValueList,
  user_id: ValueList,
  organization_id: ValueList,
  query: Type.String(),
  email_address_query: Type.String(),
  phone_number_query: Type.String(),
  username_query: Type.String(),
  name_query: Type.String(),
  banned: Type.Boolean(),
  last_active_at_before: UnixMillis,
  last_active_at_after: UnixMillis,
  last_active_at_since: UnixMillis,
  created_at_before: UnixMillis,
  created_at_after: UnixMillis,
  last_sign_in_at_before: UnixMillis,
  last_sign_in_at_after: UnixMillis,
  provider: Type.String(),
  provider_user_id: ValueList,
});

export const UserCountQuery = Type.Object(filterProperties, { additionalProperties: true });
export type UserCountQuery = Static<typeof UserCountQuery>;

export const UserListQuery = Type.Object(
  {
    ...filterProperties,
    ...optional({
      limit: BoundedInteger({ minimum: 1, maximum: 500 }),
      // An offset past every row answers an empty page.
      offset: BoundedInteger(),
      order_by: Type.Array(Type.String()),
      starting_after: Type.String(),
    }),
  },
  { additionalProperties: true },
);
export type UserListQuery = Static<typeof UserListQuery>;
