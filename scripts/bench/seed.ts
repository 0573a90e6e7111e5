import { openDatabase } from '../../src/db/connection.js';
import type { NewEmailAddressRow, NewUserRow } from '../../src/db/schema.js';
import { newId } from '../../src/ids.js';
import { userRepository as repo } from '../../src/users/repository.js';
import { writeTransaction } from '../../src/users/transaction.js';

/**
 * Seeds `count` users with an email, a username and a name through the repository's bulk
 * path (multi-row inserts, one transaction per batch). User i is `bench.user{i}@example.com`,
 * username `benchuser{i}`, created one second apart so orderings are deterministic.
 */
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis', 'Radia', 'Linus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Ritchie', 'Perlman', 'Torvalds'];
const BATCH = 5000;
const EPOCH = Date.UTC(2020, 0, 1);

export function benchEmail(i: number): string {
  return `bench.user${i}@example.com`;
}

export function seedBenchUsers(databasePath: string, count: number): { seconds: number; sampleIds: string[] } {
  const database = openDatabase(databasePath, { busyTimeoutMs: 5000 });
  const started = process.hrtime.bigint();
  const sampleIds: string[] = [];
  try {
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(count, start + BATCH);
      const users: NewUserRow[] = [];
      const emails: NewEmailAddressRow[] = [];
      for (let i = start; i < end; i++) {
        const createdAt = EPOCH + i * 1000;
        const id = newId('user', createdAt);
        const emailId = newId('idn', createdAt);
        if (i % 1000 === 0) sampleIds.push(id);
        users.push({
          id,
          username: `benchuser${i}`,
          firstName: FIRST[i % FIRST.length]!,
          lastName: `${LAST[(i * 7) % LAST.length]!}${i % 97}`,
          primaryEmailAddressId: emailId,
          createdAt,
          updatedAt: createdAt,
        });
        emails.push({ id: emailId, userId: id, emailAddress: benchEmail(i), status: 'verified' as const, createdAt, updatedAt: createdAt });
      }
      writeTransaction(database.db, (tx) => {
        repo.insertUsers(tx, users);
        repo.insertEmailAddresses(tx, emails);
        repo.refreshSearchTexts(tx, users.map((user) => user.id));
      });
    }
  } finally {
    database.close();
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, sampleIds };
}
