import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepMergeMetadata, type Metadata } from '../../src/users/metadata.js';

/** The deep-merge rule of PATCH /users/{id}/metadata, case by case. */
const CASES: { name: string; current: Metadata; patch: Metadata; merged: Metadata }[] = [
  { name: 'a new key is added', current: { a: 1 }, patch: { b: 2 }, merged: { a: 1, b: 2 } },
  { name: 'a scalar replaces a scalar', current: { a: 1 }, patch: { a: 'x' }, merged: { a: 'x' } },
  { name: 'null deletes a top-level key', current: { a: 1, b: 2 }, patch: { a: null }, merged: { b: 2 } },
  { name: 'null deletes a nested key', current: { a: { b: 1, c: 2 } }, patch: { a: { b: null } }, merged: { a: { c: 2 } } },
  { name: 'null for a missing key is a no-op', current: { a: 1 }, patch: { z: null }, merged: { a: 1 } },
  { name: 'nested objects merge at every depth', current: { a: { b: { c: 1, d: 2 } } }, patch: { a: { b: { d: 3, e: 4 } } }, merged: { a: { b: { c: 1, d: 3, e: 4 } } } },
  { name: 'an array replaces an array', current: { a: [1, 2, 3] }, patch: { a: [4] }, merged: { a: [4] } },
  { name: 'an array replaces an object', current: { a: { b: 1 } }, patch: { a: [1] }, merged: { a: [1] } },
  { name: 'an object replaces a scalar', current: { a: 1 }, patch: { a: { b: 2 } }, merged: { a: { b: 2 } } },
  { name: 'an object replaces an array', current: { a: [1] }, patch: { a: { b: 2 } }, merged: { a: { b: 2 } } },
  { name: 'a scalar replaces an object', current: { a: { b: 1 } }, patch: { a: false }, merged: { a: false } },
  { name: 'nulls inside a new object are dropped', current: {}, patch: { a: { b: null, c: 1 } }, merged: { a: { c: 1 } } },
  { name: 'an empty object patch keeps a nested object', current: { a: { b: 1 } }, patch: { a: {} }, merged: { a: { b: 1 } } },
  { name: 'keys keep their exact case', current: { fooBar: 1 }, patch: { FooBar: 2, foo_bar: 3 }, merged: { fooBar: 1, FooBar: 2, foo_bar: 3 } },
  { name: 'objects inside arrays are not merged', current: { a: [{ b: 1 }] }, patch: { a: [{ c: 2 }] }, merged: { a: [{ c: 2 }] } },
  { name: 'an empty patch changes nothing', current: { a: { b: [1] } }, patch: {}, merged: { a: { b: [1] } } },
];

for (const { name, current, patch, merged } of CASES) {
  test(`deep merge: ${name}`, () => {
    const before = structuredClone(current);
    assert.deepEqual(deepMergeMetadata(current, patch), merged);
    assert.deepEqual(current, before, 'the stored value is not mutated');
  });
}
