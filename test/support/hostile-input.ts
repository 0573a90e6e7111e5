import fc from 'fast-check';
import { fillPath, type RouteEntry } from './route-table.js';
import type { RawRequest } from './raw-http.js';

/**
 * fast-check arbitraries for malformed requests against one route: wrong types, huge
 * strings, deep nesting, unicode edge cases, bytes that are not UTF-8, duplicated and unknown
 * parameters, hostile numbers in integer parameters, bodies over the limit, wrong content
 * types, and path segments with `..` and encoded slashes. Each generated case is a RawRequest (sent over a bare socket, so nothing
 * is re-encoded on the way) plus a label saying which kind of hostility it is.
 */

export interface HostileCase {
  kind: string;
  request: RawRequest;
}

/**
 * A path parameter to be filled with a real value (a user id, an organization id …) when the
 * request is sent, so the body and query reach the handler even after earlier requests
 * deleted or replaced the fixtures.
 */
export function realParam(name: string): string {
  return `{real:${name}}`;
}

/** Replaces every realParam placeholder in `target` with the current value. */
export function resolveRealParams(target: string, values: Record<string, string>): string {
  return target.replace(/\{real:([A-Za-z0-9_]+)\}/g, (_whole, name: string) => values[name] ?? 'x');
}

export interface HostileContext {
  bodyLimit: number;
  imageMaxBytes: number;
  authorization: string;
}

// ---------------------------------------------------------------------------------- strings

/** Strings that have broken parsers, databases and log pipelines before. */
export const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\udc00\ud800',
  '\u202eevil\u202c',
  '\u200f\u05e9\u05dc\u05d5\u05dd\u200e',
  '\u0627\u0644\u0639\u0631\u0628\u064a\u0629',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301',
  'Z\u0364\u0354\u0367\u0311\u0313a\u0308\u0356\u032d\u0308\u0307l\u0356\u034eg\u031e\u0325\u0348\u032eo',
  '\ufeff',
  '\uffff',
  '\ufffd',
  '\r\n',
  '\t\u000b\f',
  '%',
  '%00',
  '%2e%2e%2f',
  '../',
  '..\\..\\',
  '/',
  '__proto__',
  'constructor',
  'prototype',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '%_\\',
  '{}',
  '[]',
  'null',
  'true',
  '1e309',
  '-0',
  '0x10',
  ' 123 ',
  '9007199254740993',
  'user_' + 'A'.repeat(27),
  '<script>alert(1)</script>',
  '${7*7}',
];

const edgeString = fc.constantFrom(...EDGE_STRINGS);
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const combining = fc.integer({ min: 0x0300, max: 0x036f }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: edgeString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(surrogate, combining, fc.constantFrom('\u0000', '\u202e', '👍', 'a')), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 9000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(edgeString, edgeString, fc.string({ maxLength: 8 })).map((parts) => parts.join('')) },
);

// ---------------------------------------------------------------------------------- values

/** A JSON value of any type, mostly the wrong one for whatever field it lands in. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(-1, 0, 1.5, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 2 ** 63),
    hostileString,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Property names the route's schema knows (body or query), or names it does not. */
function schemaKeys(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

/** Body properties that take a string (TypeBox `Type.String()` or `Nullable(Type.String())`). */
function stringKeys(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown; anyOf?: { type?: unknown }[] }> } | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'string' || (property.anyOf ?? []).some((branch) => branch.type === 'string'))
    .map(([name]) => name);
}

const UNKNOWN_KEYS = ['unknown_param', '__proto__', 'constructor', 'prototype', 'id', 'object', 'password_digest', 'a'.repeat(300), '', '\u0000', '\ud800'];

function hostileKey(known: string[]): fc.Arbitrary<string> {
  return known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_KEYS) }, { weight: 1, arbitrary: hostileString }) : fc.oneof(fc.constantFrom(...UNKNOWN_KEYS), hostileString);
}

// ---------------------------------------------------------------------------------- integers

/**
 * Numbers as written on the wire, for integer parameters: past 2^53 (where doubles stop
 * counting by one), past 2^63 and 2^64 (SQLite's and C's integers), over the double range
 * (`1e400` parses to Infinity), negative, fractional, and not numbers at all. Written as text
 * so JSON bodies can carry what JSON.stringify cannot (`1e400`, `-0`, `1.0`).
 */
export const HOSTILE_INTEGER_TEXTS = [
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '18446744073709551616',
  '1e19',
  '1e400',
  '-1e400',
  '1e308',
  '9007199254740992',
  '9007199254740993',
  '9007199254740991',
  '8640000000000001',
  '4294967296',
  '2147483648',
  '-1',
  '-0',
  '0',
  '1',
  '1.5',
  '1.0',
  '0.1e1',
  '1e2',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '',
  '1_000',
  '١٢٣',
];

export const hostileIntegerText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_INTEGER_TEXTS) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 16, max: 330 }).map((exponent) => `1e${exponent}`) },
);

/** Whether a JSON schema (TypeBox, `Nullable` included) admits an integer. */
function takesInteger(schema: unknown): boolean {
  const { type, anyOf } = (schema ?? {}) as { type?: unknown; anyOf?: unknown[] };
  return type === 'integer' || (Array.isArray(type) && type.includes('integer')) || (anyOf ?? []).some(takesInteger);
}

/** Properties of an object schema that take an integer (limit, offset, create_organizations_limit …). */
export function integerKeys(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => takesInteger(property))
    .map(([name]) => name);
}

/** The text of a JSON value, so a number can be written exactly as given (`{"limit":1e400}`). */
function jsonNumberField(key: string, text: string): string {
  // Text that is not a JSON number goes as a string: the wrong type, not broken JSON.
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? `${JSON.stringify(key)}:${text}` : `${JSON.stringify(key)}:${JSON.stringify(text)}`;
}

// ---------------------------------------------------------------------------------- JSON text

/** Every UTF-8 byte percent-encoded (a lone surrogate becomes U+FFFD's bytes, as a client would send it). */
export function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** JSON.stringify keeps lone surrogates as `\udXXX` escapes, so they reach the parser. */
function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Nesting `depth` levels deep, of arrays or objects, around a small core. */
function nested(depth: number, objects: boolean): string {
  return objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** Texts that are not JSON, or are JSON that parsers disagree about. */
const BROKEN_JSON = [
  '{',
  '}',
  '{"a":}',
  '{"a":1,}',
  '[1,2,]',
  '{"a":1}{"b":2}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":1e999}',
  '{"a":123456789012345678901234567890}',
  '{"a":-}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\u0001"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"password":"a","password":1}',
  '"just a string"',
  '42',
  'true',
  '[]',
  '[{}]',
  '\ufeff{}',
  '/* comment */ {}',
  '{"a":1} trailing',
  '\u0000',
];

/** Byte sequences that are not UTF-8: a lone continuation byte, overlong `/`, an encoded surrogate, 0xFF. */
const INVALID_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

function withInvalidUtf8(field: string, bytes: number[]): Buffer {
  return Buffer.concat([Buffer.from(`{"${field}":"ab`), Buffer.from(bytes), Buffer.from('cd"}')]);
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/xml',
  'application/jsonx',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;;',
  '',
  '*/*',
  'image/png',
  'application/octet-stream',
];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function filePart(name: string, bytes: Buffer, closed = true): Buffer {
  return Buffer.concat([
    Buffer.from(`--b\r\nContent-Disposition: form-data; name="${name}"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(closed ? '\r\n--b--\r\n' : ''),
  ]);
}

/** Multipart bodies, given the image size limit. */
const MULTIPART_BODIES: ((imageMaxBytes: number) => Buffer)[] = [
  () => Buffer.from('--b\r\ngarbage'),
  () => Buffer.from('--b--\r\n'),
  () => Buffer.from(''),
  () => filePart('file', Buffer.from('GIF8 not really')),
  () => filePart('file', Buffer.from([0x00, 0xff, 0xfe, 0x00])),
  () => filePart('avatar', PNG_SIGNATURE),
  () => filePart('file', PNG_SIGNATURE, false),
  (max) => filePart('file', Buffer.concat([PNG_SIGNATURE, Buffer.alloc(max + 10)])),
  () => Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n'), filePart('file', Buffer.from('x'))]),
];

// ---------------------------------------------------------------------------------- paths

/** Path segments, already as they go on the request line. */
export const HOSTILE_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '..%2F..%2F..%2Fclerkd.sqlite',
  'a%2Fb',
  '%2F',
  '%5C..%5C',
  '%00',
  'a%00b',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%',
  '%ZZ',
  '%E2%80%AE',
  '%F0%9F%92%A9',
  'e%CC%81%CC%81',
  'user_' + 'A'.repeat(27),
  'a'.repeat(499),
  'a'.repeat(600),
  '%20',
  '+',
  ';',
  'null',
  'undefined',
  '__proto__',
];

const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 1, arbitrary: hostileString.filter((s) => s.length < 2000).map(percentEncode) },
);

// ---------------------------------------------------------------------------------- requests

function requestFor(
  route: RouteEntry,
  context: HostileContext,
  pieces: { params: Record<string, string>; query?: string; headers?: [string, string][]; body?: Buffer | string; contentType?: string | null; kind: string },
): HostileCase {
  const path = fillPath(route.url, (name) => pieces.params[name] ?? realParam(name));
  const headers: [string, string][] = [['Authorization', context.authorization]];
  if (pieces.contentType !== undefined && pieces.contentType !== null) headers.push(['Content-Type', pieces.contentType]);
  headers.push(...(pieces.headers ?? []));
  return {
    kind: pieces.kind,
    request: { method: route.method, target: pieces.query ? `${path}?${pieces.query}` : path, headers, ...(pieces.body === undefined ? {} : { body: pieces.body }) },
  };
}

function encodeQuery(pairs: [string, string][]): string {
  return pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&');
}

const RAW_QUERIES = ['limit=%ZZ', 'limit=1&limit=2', 'a[b][c][d]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', '&&&', '=', 'limit', 'offset=-1', 'limit=1e3', 'limit=0x10', 'limit=%00', '%FF=%FE', 'order_by=%2B%2Bcreated_at', 'email_address=%C0%AF'];

/** Every kind of malformed request for `route`; a real path with a bad body, a bad path with a good body, and so on. */
export function hostileRequest(route: RouteEntry, context: HostileContext): fc.Arbitrary<HostileCase> {
  const bodyKeys = schemaKeys(route.schema?.body);
  const queryKeys = schemaKeys(route.schema?.querystring);
  const paramNames = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
  const realParams = fc.constant<Record<string, string>>({});
  const hostileParams: fc.Arbitrary<Record<string, string>> =
    paramNames.length === 0
      ? realParams
      : fc
          .record(Object.fromEntries(paramNames.map((name) => [name, hostileSegment])), { requiredKeys: [] })
          .map((params) => Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)));
  const anyParams = fc.oneof({ weight: 3, arbitrary: realParams }, { weight: 1, arbitrary: hostileParams });
  const json = 'application/json';

  const kinds: fc.Arbitrary<HostileCase>[] = [
    // Path: `..`, encoded slashes, NUL, bad escapes, not-UTF-8, too long.
    hostileParams.map((params) => requestFor(route, context, { params, kind: 'path segment' })),
    // Query: unknown, duplicated and wrongly typed parameters.
    fc
      .tuple(anyParams, fc.array(fc.tuple(hostileKey(queryKeys), hostileString), { minLength: 1, maxLength: 6 }))
      .map(([params, pairs]) => requestFor(route, context, { params, query: encodeQuery(pairs), kind: 'query parameters' })),
    fc.tuple(anyParams, fc.constantFrom(...RAW_QUERIES)).map(([params, query]) => requestFor(route, context, { params, query, kind: 'raw query' })),
    // Body: wrong types for known fields, unknown fields.
    fc
      .tuple(anyParams, fc.dictionary(hostileKey(bodyKeys), hostileValue, { minKeys: 1, maxKeys: 5 }))
      .map(([params, body]) => requestFor(route, context, { params, body: jsonText(body), contentType: json, kind: 'wrong types' })),
    // Body: a JSON value that is not an object.
    fc.tuple(anyParams, hostileValue).map(([params, body]) => requestFor(route, context, { params, body: jsonText(body), contentType: json, kind: 'non-object body' })),
    // Body: text that is not JSON.
    fc.tuple(anyParams, fc.constantFrom(...BROKEN_JSON)).map(([params, body]) => requestFor(route, context, { params, body, contentType: json, kind: 'broken JSON' })),
    // Body: bytes that are not UTF-8.
    fc
      .tuple(anyParams, fc.constantFrom(...(bodyKeys.length ? bodyKeys : ['a'])), fc.constantFrom(...INVALID_UTF8))
      .map(([params, field, bytes]) => requestFor(route, context, { params, body: withInvalidUtf8(field, bytes), contentType: json, kind: 'invalid UTF-8' })),
    // Body: deep nesting, under and over the parser's depth limit, at the top or in a field.
    fc
      .tuple(anyParams, fc.constantFrom(8, 40, 63, 64, 65, 200, 4000), fc.boolean(), fc.constantFrom(...(bodyKeys.length ? bodyKeys : ['a'])))
      .map(([params, depth, objects, field]) =>
        requestFor(route, context, { params, body: `{"${field}":${nested(depth, objects)}}`, contentType: json, kind: 'deep nesting' }),
      ),
    // Body: a string field just under, at and over the body limit.
    fc
      .tuple(anyParams, fc.constantFrom(...(bodyKeys.length ? bodyKeys : ['a'])), fc.constantFrom(-64, -1, 0, 1, 4096, context.bodyLimit * 3))
      .map(([params, field, delta]) => {
        const padding = Math.max(0, context.bodyLimit + delta - field.length - 7);
        return requestFor(route, context, { params, body: `{"${field}":"${'y'.repeat(padding)}"}`, contentType: json, kind: 'size limit' });
      }),
    // Body: the right shape under the wrong (or no) content type.
    fc
      .tuple(anyParams, fc.constantFrom(...CONTENT_TYPES, null), fc.dictionary(hostileKey(bodyKeys), hostileValue, { maxKeys: 3 }))
      .map(([params, contentType, body]) => requestFor(route, context, { params, body: jsonText(body), contentType, kind: 'content type' })),
    // Headers: duplicated Content-Type, an API version that is not a date.
    fc
      .tuple(anyParams, fc.constantFrom('text/plain', 'application/json', 'multipart/form-data; boundary=x'), hostileString)
      .map(([params, second, version]) =>
        requestFor(route, context, {
          params,
          body: '{}',
          contentType: json,
          headers: [
            ['Content-Type', second],
            ['Clerk-API-Version', version.replace(/[\r\n]/g, '').slice(0, 200)],
          ],
          kind: 'duplicated headers',
        }),
      ),
    // Multipart: broken framing, a part with the wrong name, a file that is not an image or is over the image limit.
    fc
      .tuple(anyParams, fc.constantFrom(...MULTIPART_BODIES), fc.constantFrom('multipart/form-data; boundary=b', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=other'))
      .map(([params, build, contentType]) => requestFor(route, context, { params, body: build(context.imageMaxBytes), contentType, kind: 'multipart' })),
  ];
  const queryIntegers = integerKeys(route.schema?.querystring);
  if (queryIntegers.length > 0) {
    // Query: hostile numbers in the integer parameters (limit, offset, dates as unix ms).
    kinds.push(
      fc
        .tuple(anyParams, fc.subarray(queryIntegers, { minLength: 1 }), fc.array(hostileIntegerText, { minLength: 1, maxLength: 3 }))
        .map(([params, keys, texts]) =>
          requestFor(route, context, { params, query: keys.map((key, i) => `${key}=${encodeURIComponent(texts[i % texts.length]!)}`).join('&'), kind: 'hostile integers' }),
        ),
    );
  }
  const bodyIntegers = integerKeys(route.schema?.body);
  if (bodyIntegers.length > 0) {
    // Body: hostile numbers in the integer fields (create_organizations_limit, max_allowed_memberships, expires_in …).
    kinds.push(
      fc
        .tuple(anyParams, fc.subarray(bodyIntegers, { minLength: 1 }), fc.array(hostileIntegerText, { minLength: 1, maxLength: 3 }))
        .map(([params, keys, texts]) =>
          requestFor(route, context, { params, body: `{${keys.map((key, i) => jsonNumberField(key, texts[i % texts.length]!)).join(',')}}`, contentType: json, kind: 'hostile integers' }),
        ),
    );
  }
  const strings = stringKeys(route.schema?.body);
  if (strings.length > 0) {
    // Body: the right shape, with unicode edge cases (lone surrogates, NUL, RTL, combining marks) in
    // one or two string fields: often accepted, so it is what reaches the database. Twice as likely.
    const unicodeInStrings = fc
        .tuple(anyParams, fc.subarray(strings, { minLength: 1, maxLength: Math.min(2, strings.length) }), fc.array(hostileString, { minLength: 2, maxLength: 2 }))
        .map(([params, keys, values]) =>
          requestFor(route, context, { params, body: jsonText(Object.fromEntries(keys.map((key, i) => [key, values[i % values.length]]))), contentType: json, kind: 'unicode in strings' }),
        );
    kinds.push(unicodeInStrings, unicodeInStrings);
  }
  return fc.oneof(...kinds);
}
