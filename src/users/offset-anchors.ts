/**
 * Deep `offset` pages in `created_at` order without walking every row before them: the
 * positions of rows already served ("anchors") are remembered, and a later page starts with
 * a keyset condition after the nearest anchor at or before it, skipping only the rest.
 * Walking a list page by page therefore costs the same at any depth.
 *
 * An anchor is only valid while the data is unchanged, so every cached entry carries the
 * database version it was made at (any commit, by this connection or another, changes it)
 * and is dropped when the version moves. Pure bookkeeping: no SQL here.
 */

export interface Anchor {
  /** 0-based position of the row in the full ordered result. */
  position: number;
  createdAt: number;
  id: string;
}

/** Offsets below this are walked directly: cheap enough, and they keep the cache small. */
export const ANCHOR_MIN_OFFSET = 500;
const MAX_LISTS = 64;
const MAX_ANCHORS_PER_LIST = 256;

interface Entry {
  version: string;
  anchors: Anchor[]; // sorted by position
}

export class OffsetAnchors {
  private readonly lists = new Map<string, Entry>();

  /** The anchor nearest at or before `offset` for this list, if the data has not changed since. */
  nearest(list: string, version: string, offset: number): Anchor | undefined {
    const entry = this.lists.get(list);
    if (!entry || entry.version !== version) return undefined;
    let best: Anchor | undefined;
    for (const anchor of entry.anchors) {
      if (anchor.position > offset - 1) break;
      best = anchor;
    }
    return best;
  }

  remember(list: string, version: string, anchor: Anchor): void {
    let entry = this.lists.get(list);
    if (!entry || entry.version !== version) entry = { version, anchors: [] };
    this.lists.delete(list); // re-insert: Map order is the LRU order
    this.lists.set(list, entry);
    if (!entry.anchors.some((known) => known.position === anchor.position)) {
      entry.anchors.push(anchor);
      entry.anchors.sort((a, b) => a.position - b.position);
      if (entry.anchors.length > MAX_ANCHORS_PER_LIST) entry.anchors.splice(0, 1);
    }
    if (this.lists.size > MAX_LISTS) this.lists.delete(this.lists.keys().next().value!);
  }
}
