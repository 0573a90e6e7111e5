import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import { errors } from '../errors.js';
import type { ImageSource, ImageStore } from '../images/store.js';
import { nowMillis } from '../time.js';
import { pendingImageRepository as pendingImages } from './pending-image-repository.js';
import { userRepository as repo } from './repository.js';
import { writeTransaction } from './transaction.js';
import type { UserAggregate } from './types.js';

/**
 * Setting and removing a user's profile image. The file is written first (outside the
 * transaction: it can take a while), then one write transaction swaps `profile_image_key`.
 * After the commit the old file goes; if the transaction fails the new file goes, so the
 * database never points at a missing file. A crash between the two steps can leave one
 * unreferenced file, never a dangling reference; its `pending_images` row proves it belongs
 * to this database, so removeAbandonedImages can remove it later.
 */

export interface ProfileImageLog {
  warn(details: object, message: string): void;
}

export interface ProfileImageServiceDeps {
  db: Db;
  store: ImageStore;
  /** Where a file that could not be removed is reported; the request still succeeds. */
  log?: ProfileImageLog;
}

export class ProfileImageService {
  constructor(private readonly deps: ProfileImageServiceDeps) {}

  get store(): ImageStore {
    return this.deps.store;
  }

  private loadOne(x: Executor, id: string): UserAggregate {
    const [aggregate] = repo.loadAggregates(x, [id]);
    if (!aggregate) throw errors.userNotFound(id);
    return aggregate;
  }

  /**
   * Removes temporary uploads abandoned by a process that died mid-upload; returns how many.
   * Never an image file: the images directory may be shared with servers on other databases,
   * so a file this database does not refer to may well be another's (see ImageStore).
   */
  removeStaleUploads(): Promise<number> {
    return this.deps.store.removeStaleUploads();
  }

  /**
   * Removes the image files of uploads that died between publishing the file and committing
   * the row (their `pending_images` rows say they are this database's); returns how many. Only
   * safe while no other server uses this database, which the caller must ensure (start.ts
   * holds the exclusive server lock around it): another's upload may be in that window.
   */
  async removeAbandonedImages(): Promise<number> {
    const { db } = this.deps;
    const pending = pendingImages.all(db);
    const abandoned = pending.filter((row) => !row.referenced).map((row) => row.key);
    for (const key of abandoned) await this.removeStoredImage(key);
    if (pending.length > 0) await writeTransaction(db, (tx) => pendingImages.removeMany(tx, pending.map((row) => row.key)));
    return abandoned.length;
  }

  /** Stores `file` as the user's profile image and returns the updated user. Unknown users are refused before anything is written. */
  async setProfileImage(userId: string, file: ImageSource): Promise<UserAggregate> {
    if (!repo.findUser(this.deps.db, userId)) throw errors.userNotFound(userId);
    const { db } = this.deps;
    const stored = await this.deps.store.save(file, (key) => writeTransaction(db, (tx) => pendingImages.insert(tx, key, nowMillis())));
    let previousKey: string | null;
    let aggregate: UserAggregate;
    try {
      ({ previousKey, aggregate } = await writeTransaction(this.deps.db, (tx) => {
        // Re-read inside the transaction: the user may have been deleted, or given another image, meanwhile.
        const user = repo.findUser(tx, userId);
        if (!user) throw errors.userNotFound(userId);
        repo.updateUser(tx, userId, { profileImageKey: stored.key, updatedAt: nowMillis() });
        pendingImages.remove(tx, stored.key);
        return { previousKey: user.profileImageKey, aggregate: this.loadOne(tx, userId) };
      }));
    } catch (error) {
      await this.removeStoredImage(stored.key);
      await writeTransaction(db, (tx) => pendingImages.remove(tx, stored.key)).catch(() => undefined);
      throw error;
    }
    if (previousKey !== stored.key) await this.removeStoredImage(previousKey);
    return aggregate;
  }

  /** Clears the user's profile image (a no-op for a user without one) and returns the user. */
  async deleteProfileImage(userId: string): Promise<UserAggregate> {
    const { previousKey, aggregate } = await writeTransaction(this.deps.db, (tx) => {
      const user = repo.findUser(tx, userId);
      if (!user) throw errors.userNotFound(userId);
      if (user.profileImageKey === null) return { previousKey: null, aggregate: this.loadOne(tx, userId) };
      repo.updateUser(tx, userId, { profileImageKey: null, updatedAt: nowMillis() });
      return { previousKey: user.profileImageKey, aggregate: this.loadOne(tx, userId) };
    });
    await this.removeStoredImage(previousKey);
    return aggregate;
  }

  /**
   * Deletes a stored image file once nothing references it (after the transaction that
   * dropped the reference committed). Never throws: a file that cannot be removed is
   * logged and left behind, since the database change it follows has already happened.
   */
  async removeStoredImage(key: string | null | undefined): Promise<void> {
    if (!key) return;
    try {
      await this.deps.store.remove(key);
    } catch (error) {
      this.deps.log?.warn({ err: error, key }, 'could not remove a stored profile image');
    }
  }
}
