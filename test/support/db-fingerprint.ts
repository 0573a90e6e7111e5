import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Db } from '../../src/db/connection.js';

/**
 * A content hash of every table in the database (FTS shadow tables included) and of the
 * image directory's file names, so a test can prove a request changed nothing at all.
 */

export function sqliteOf(db: Db): Database.Database {
  return (db as unknown as { $client: Database.Database }).$client;
}

function tableNames(sqlite: Database.Database): string[] {
  return (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((row) => row.name)
    // The FTS5 virtual table itself is read through its shadow tables (users_search_data, …).
    .filter((name) => name !== 'users_search');
}

function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : typeof v === 'bigint' ? `big:${v}` : v));
}

export interface Fingerprint {
  hash: string;
  rows: Record<string, number>;
}

export function fingerprint(db: Db, imagesDir?: string): Fingerprint {
  const sqlite = sqliteOf(db);
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  for (const table of tableNames(sqlite)) {
    const all = sqlite.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).raw().all().map(encode).sort();
    rows[table] = all.length;
    hash.update(`${table}\n`);
    for (const row of all) hash.update(`${row}\n`);
  }
  if (imagesDir !== undefined) {
    const files = fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir).sort() : [];
    rows['(image files)'] = files.length;
    hash.update(`images\n${files.join('\n')}`);
  }
  return { hash: hash.digest('hex'), rows };
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text values whose stored bytes are not UTF-8 (`table.column: hex…`). better-sqlite3 hands
 * such values back with U+FFFD in place of the bad bytes, so they are read as blobs here.
 */
export function textThatIsNotUtf8(db: Db): string[] {
  const sqlite = sqliteOf(db);
  const found: string[] = [];
  for (const table of tableNames(sqlite).filter((name) => !name.startsWith('users_search'))) {
    const quoted = `"${table.replace(/"/g, '""')}"`;
    for (const { name } of sqlite.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[]) {
      const column = `"${name.replace(/"/g, '""')}"`;
      for (const { bytes } of sqlite.prepare(`SELECT CAST(${column} AS BLOB) AS bytes FROM ${quoted} WHERE typeof(${column}) = 'text'`).all() as { bytes: Buffer }[]) {
        try {
          STRICT_UTF8.decode(bytes);
        } catch {
          found.push(`${table}.${name}: ${bytes.toString('hex').slice(0, 80)}`);
        }
      }
    }
  }
  return found;
}
