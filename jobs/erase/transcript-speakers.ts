// Who speaks in a recording: the SpeakerMatch an erasure brings and the SpeakerBook that applies it to
// one stream's participants and transcript labels (and replaces mentions of the person's names).

export interface SpeakerMatch {
  /** True when a transcript speaker / manifest participant of this meeting is the person being erased. */
  isPerson(meetingUuid: string, speaker: { userId?: string; name?: string }): boolean;
  /** Names of the person in this meeting (to replace where others' lines mention them). */
  namesIn(meetingUuid: string): readonly string[];
  /** The stable pseudonym replacing a name / a user id of theirs. */
  pseudonymName(name: string): string;
  pseudonymId(userId: string): string;
  /**
   * Optional: the person's user ids in this meeting. A speaker known only by user id is written
   * `Speaker <pseudonymId>` after erasure; with these a later run still finds the recording holds them.
   */
  userIdsIn?(meetingUuid: string): readonly string[];
}

/** What the person's own transcript lines say after erasure. */
export const ERASED_TEXT = '[erased]';

/**
 * Who the speakers of one stream are: the manifest's participants (user id → name) tell a transcript
 * label that is a name from the `Speaker <id>` label of a user without one.
 */
export class SpeakerBook {
  /** The person is among the manifest's participants (or was, under a pseudonym). */
  readonly personListed: boolean;
  /** The person's names here: from the match and from the participants that are the person. */
  readonly names: string[];
  /** Pseudonyms of those names (a second run recognises an erased recording by them). */
  readonly pseudonyms: string[];
  private readonly idsByName = new Map<string, string[]>();
  private readonly known = new Set<string>();
  private readonly protectedSpans: RegExp;
  private readonly mention: RegExp | undefined;

  constructor(
    readonly meetingUuid: string,
    private readonly match: SpeakerMatch,
    participants: unknown,
  ) {
    const names = new Set(match.namesIn(meetingUuid).filter((n) => n.trim() !== ''));
    let listed = false;
    const listedPseudonyms: string[] = [];
    for (const p of Array.isArray(participants) ? (participants as unknown[]) : []) {
      if (!isRecord(p)) continue;
      const s = participantOf(p);
      if (!s) continue;
      if (s.name !== undefined) {
        this.known.add(s.name);
        if (s.userId !== undefined)
          this.idsByName.set(s.name, [...(this.idsByName.get(s.name) ?? []), s.userId]);
      }
      if (match.isPerson(meetingUuid, s)) {
        listed = true;
        if (s.name !== undefined && s.name.trim() !== '') names.add(s.name);
      } else {
        if (s.name !== undefined) listedPseudonyms.push(s.name);
        if (s.userId !== undefined) listedPseudonyms.push(s.userId);
      }
    }
    this.names = [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    const ids = match.userIdsIn?.(meetingUuid) ?? [];
    this.pseudonyms = [
      ...new Set([
        ...this.names.map((n) => match.pseudonymName(n)),
        ...ids.map((id) => match.pseudonymId(id)),
      ]),
    ];
    this.personListed = listed || listedPseudonyms.some((n) => this.pseudonyms.includes(n));
    const alternatives = this.names.map((n) => `(${wordsPattern(n)})`);
    this.mention =
      alternatives.length === 0
        ? undefined
        : new RegExp(
            `(?<![\\p{L}\\p{N}\\p{M}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}\\p{M}_])`,
            'giu',
          );
    // Never rewritten inside: pseudonyms and the erased text.
    const spans = [...this.pseudonyms, ERASED_TEXT].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.protectedSpans = new RegExp(`(${spans.join('|')})`, 'gu');
  }

  /** Whether a transcript label is a participant's name (to split `speaker: text` lines). */
  isKnownLabel(label: string): boolean {
    return this.known.has(label) || /^Speaker \d+$/.test(label) || this.isPerson(label);
  }

  isPerson(label: string): boolean {
    const ids = this.idsByName.get(label);
    if (ids) return ids.some((userId) => this.match.isPerson(this.meetingUuid, { userId, name: label }));
    const fallback = /^Speaker (\d+)$/.exec(label);
    if (fallback) return this.match.isPerson(this.meetingUuid, { userId: fallback[1]! });
    return this.match.isPerson(this.meetingUuid, { name: label });
  }

  /** The pseudonym a label of the person becomes (`Speaker <id>` keeps its form). */
  pseudonymOf(label: string): string {
    const fallback = this.idsByName.has(label) ? null : /^Speaker (\d+)$/.exec(label);
    return fallback ? `Speaker ${this.match.pseudonymId(fallback[1]!)}` : this.match.pseudonymName(label);
  }

  /** Text with whole-word mentions of the person's names (in any case) replaced by their pseudonyms. */
  replaceMentions(text: string): string {
    const re = this.mention;
    if (!re) return text;
    return text
      .split(this.protectedSpans)
      .map((part, i) =>
        i % 2 === 1
          ? part
          : part.replace(re, (...m: unknown[]) => {
              // One group per name, longest first: the one that matched picks the pseudonym.
              const k = this.names.findIndex((_, j) => m[j + 1] !== undefined);
              return this.match.pseudonymName(this.names[k]!);
            }),
      )
      .join('');
  }

  /** True when the text names the person by one of their pseudonyms (an erased recording). */
  holdsPseudonym(text: string): boolean {
    return this.pseudonyms.some((p) => text.includes(p));
  }
}

/** A manifest participant entry as a speaker (user id in its decimal form); undefined without either. */
export function participantOf(p: Record<string, unknown>): { userId?: string; name?: string } | undefined {
  const id = typeof p.userId === 'number' || typeof p.userId === 'string' ? String(p.userId) : undefined;
  const name = typeof p.userName === 'string' ? p.userName : undefined;
  if (id === undefined && name === undefined) return undefined;
  return { ...(id !== undefined ? { userId: id } : {}), ...(name !== undefined ? { name } : {}) };
}

/** A name as a pattern: literal, any run of whitespace matching any other. */
function wordsPattern(name: string): string {
  return name.trim().split(/\s+/u).map(escapeRegExp).join('\\s+');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
