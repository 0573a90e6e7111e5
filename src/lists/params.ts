import { errors } from '../errors.js';

/** List parameters every paginated resource shares (users, organizations, memberships). */

export const DEFAULT_LIMIT = 10;

/** `+value`/`value` include, `-value` excludes (the spec's id filters). */
export interface IncludeExclude {
  include: string[];
  exclude: string[];
}

/** A `+` that was not percent-encoded arrives as a space, so a leading space also means include. */
export function includeExclude(values: string[] | undefined): IncludeExclude | undefined {
  if (!values?.length) return undefined;
  const result: IncludeExclude = { include: [], exclude: [] };
  for (const raw of values) {
    if (raw.startsWith('-')) result.exclude.push(raw.slice(1));
    else result.include.push(raw.replace(/^[+ ]/, ''));
  }
  return result;
}

export interface Order<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/** `order_by`: a field with an optional `+` (the default, or a `+` decoded to a space) or `-`; an unknown field is a 400. */
export function parseOrder<F extends string>(raw: string | undefined, fields: readonly F[], fallback: Order<F>): Order<F> {
  if (raw === undefined || raw === '') return fallback;
  const match = /^([+ -]?)(.*)$/.exec(raw)!;
  const field = match[2]!;
  if (!(fields as readonly string[]).includes(field)) throw errors.invalidQueryParameterValue('order_by', raw);
  return { field: field as F, direction: match[1] === '-' ? 'desc' : 'asc' };
}
