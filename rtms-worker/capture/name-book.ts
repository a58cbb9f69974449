// user_id → display name for one RTMS stream, bounded: at most MAX_USERS ids and MAX_NAME_CHARS per
// name, so a stream announcing 40,000 users with 8 KiB names holds about a megabyte, not 470 MiB.
// What did not fit is counted, never silently lost.

/** Zoom meetings hold up to 1,000 participants; ids are re-issued on breakout moves, hence the margin. */
export const MAX_USERS = 5_000;
/** Zoom display names are far shorter; longer ones are cut (at a code point boundary). */
export const MAX_NAME_CHARS = 128;

/** The name cut to MAX_NAME_CHARS UTF-16 units without splitting a surrogate pair. */
export function boundName(name: string): string {
  if (name.length <= MAX_NAME_CHARS) return name;
  const cut = /[\ud800-\udbff]/.test(name[MAX_NAME_CHARS - 1]!) ? MAX_NAME_CHARS - 1 : MAX_NAME_CHARS;
  return name.slice(0, cut);
}

export class NameBook {
  private readonly names = new Map<number, string>();
  /** Names refused because the book was full (counted per attempt), and names stored cut short. */
  readonly counts = { refused: 0, truncated: 0 };

  constructor(private readonly maxUsers = MAX_USERS) {}

  get size(): number {
    return this.names.size;
  }

  get(userId: number): string | undefined {
    return this.names.get(userId);
  }

  /**
   * The bounded name when it would change what is stored for userId (new id with room, or a
   * different name); undefined when it is unchanged, or new while the book is full (counted).
   */
  changed(userId: number, name: string): string | undefined {
    const bounded = boundName(name);
    const current = this.names.get(userId);
    if (current === bounded) return undefined;
    if (current === undefined && this.names.size >= this.maxUsers) {
      this.counts.refused++;
      return undefined;
    }
    return bounded;
  }

  /** Stores the name (bounded) if there is room; returns what is stored for userId afterwards. */
  set(userId: number, name: string): string | undefined {
    const bounded = this.changed(userId, name);
    if (bounded !== undefined) {
      if (bounded.length < name.length) this.counts.truncated++;
      this.names.set(userId, bounded);
    }
    return this.names.get(userId);
  }

  entries(): IterableIterator<[number, string]> {
    return this.names.entries();
  }
}
