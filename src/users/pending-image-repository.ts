import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/executor.js';
import { pendingImages, users } from '../db/schema.js';

/** The SQL of `pending_images` (db/schema.ts): image files this database is about to refer to. */
export const pendingImageRepository = {
  insert(x: Executor, key: string, createdAt: number): void {
    x.insert(pendingImages).values({ key, createdAt }).run();
  },

  remove(x: Executor, key: string): void {
    x.delete(pendingImages).where(eq(pendingImages.key, key)).run();
  },

  /** Every pending key, and whether a user refers to it (the upload's transaction committed). */
  all(x: Executor): { key: string; referenced: boolean }[] {
    return x
      .select({ key: pendingImages.key, referenced: sql<number>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.profileImageKey} = ${pendingImages.key})` })
      .from(pendingImages)
      .all()
      .map((row) => ({ key: row.key, referenced: row.referenced === 1 }));
  },

  removeMany(x: Executor, keys: string[]): void {
    if (keys.length > 0) x.delete(pendingImages).where(inArray(pendingImages.key, keys)).run();
  },
};
