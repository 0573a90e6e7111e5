import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { snapshotJsonSchema } from '../src/snapshot/schema.js';

/** Writes docs/snapshot.schema.json from src/snapshot/schema.ts: `npx tsx scripts/write-snapshot-schema.ts`. */
const target = fileURLToPath(new URL('../docs/snapshot.schema.json', import.meta.url));
fs.writeFileSync(target, `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
