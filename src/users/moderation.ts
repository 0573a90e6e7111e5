import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Executor } from '../db/executor.js';
import type { NewUserRow } from '../db/schema.js';
import { errors } from '../errors.js';
import { nowMillis } from '../time.js';
import { lockColumns } from './lock-state.js';
import { userRepository as repo } from './repository.js';
import { writeTransaction } from './transaction.js';
import type { UserAggregate } from './types.js';

/**
 * What admin screens do to a user: ban (no sign-in ever, until unbanned) and lock (no
 * sign-in until the lock ends). An admin lock lasts the configured lockout duration, or
 * until unlocked when locks are configured never to expire.
 */

export interface ModerationServiceDeps {
  db: Db;
  config: Pick<Config, 'lockout'>;
}

type Change = (now: number) => Partial<NewUserRow>;

const BAN: Change = () => ({ banned: true });
const UNBAN: Change = () => ({ banned: false });
const UNLOCK: Change = () => ({ locked: false, lockoutExpiresAt: null, failedVerificationAttempts: 0 });

export class ModerationService {
  private readonly lock: Change;

  constructor(private readonly deps: ModerationServiceDeps) {
    this.lock = (now) => lockColumns(deps.config.lockout, now);
  }

  /** Applies one change to every listed user, all or nothing: an unknown id changes no one. */
  private apply(ids: string[], change: Change): Promise<UserAggregate[]> {
    const unique = [...new Set(ids)];
    return writeTransaction(this.deps.db, (tx: Executor) => {
      const now = nowMillis();
      for (const id of unique) {
        if (!repo.findUser(tx, id)) throw errors.userNotFound(id);
        repo.updateUser(tx, id, { ...change(now), updatedAt: now });
      }
      return repo.loadAggregates(tx, unique);
    });
  }

  private async applyOne(id: string, change: Change): Promise<UserAggregate> {
    return (await this.apply([id], change))[0]!;
  }

  ban(id: string): Promise<UserAggregate> {
    return this.applyOne(id, BAN);
  }

  unban(id: string): Promise<UserAggregate> {
    return this.applyOne(id, UNBAN);
  }

  lockUser(id: string): Promise<UserAggregate> {
    return this.applyOne(id, this.lock);
  }

  /** Unlocking also restores every verification attempt. */
  unlockUser(id: string): Promise<UserAggregate> {
    return this.applyOne(id, UNLOCK);
  }

  banMany(ids: string[]): Promise<UserAggregate[]> {
    return this.apply(ids, BAN);
  }

  unbanMany(ids: string[]): Promise<UserAggregate[]> {
    return this.apply(ids, UNBAN);
  }
}
