// Redaction of one transcript's text (WebVTT, SubRip, plain text as finalize writes them): the person's
// cues get their pseudonym and the erased text, other cues' mentions of them become the pseudonym.
import { ERASED_TEXT, type SpeakerBook } from './transcript-speakers.ts';

export type TranscriptFormat = 'vtt' | 'srt' | 'txt';

export interface RedactedTranscript {
  text: string;
  /** Lines rewritten. */
  lines: number;
  /** The person speaks, is mentioned, or (after an earlier run) appears by pseudonym. */
  present: boolean;
}

const VTT_TIMING = /^\d{2,}:\d{2}:\d{2}\.\d{3} --> \d{2,}:\d{2}:\d{2}\.\d{3}$/;
const SRT_TIMING = /^\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}$/;
const TXT_LINE = /^(\[[0-9:.]+\] )([\s\S]*)$/;
const VTT_VOICE = /^<v ([^>]*)>([\s\S]*)$/;

/**
 * One transcript as finalize writes it (rtms-worker/capture/transcripts.ts): WebVTT cues
 * `<v speaker>text` after their timing line, SubRip `speaker: text` after theirs, plain text
 * `[hh:mm:ss] speaker: text`. Only those lines can change; everything else stays byte for byte.
 */
export function redactTranscript(
  text: string,
  format: TranscriptFormat,
  speakers: SpeakerBook,
): RedactedTranscript {
  const lines = text.split('\n');
  let changed = 0;
  let present = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const prev = i > 0 ? lines[i - 1]! : '';
    let cue:
      { speaker: string; text: string; rebuild: (speaker: string, text: string) => string } | undefined;
    if (format === 'vtt') {
      const v = VTT_TIMING.test(prev) ? VTT_VOICE.exec(line) : null;
      if (v) {
        const raw = v[1]!;
        cue = {
          speaker: unescapeVtt(raw),
          text: unescapeVtt(v[2]!),
          rebuild: (s, t) => `<v ${s === unescapeVtt(raw) ? raw : escapeVtt(s)}>${escapeVtt(t)}`,
        };
      }
    } else if (format === 'srt') {
      const split = SRT_TIMING.test(prev) ? splitSpeaker(line, speakers) : undefined;
      if (split) cue = { ...split, rebuild: (s, t) => `${s}: ${t}` };
    } else {
      const m = TXT_LINE.exec(line);
      const split = m ? splitSpeaker(m[2]!, speakers) : undefined;
      if (m && split) cue = { ...split, rebuild: (s, t) => `${m[1]!}${s}: ${t}` };
    }
    if (!cue) continue;
    let next = line;
    if (speakers.isPerson(cue.speaker)) {
      present = true;
      next = cue.rebuild(speakers.pseudonymOf(cue.speaker), ERASED_TEXT);
    } else {
      const said = speakers.replaceMentions(cue.text);
      if (said !== cue.text) {
        present = true;
        next = cue.rebuild(cue.speaker, said);
      } else if (speakers.holdsPseudonym(cue.speaker) || speakers.holdsPseudonym(cue.text)) present = true;
    }
    if (next !== line) {
      lines[i] = next;
      changed++;
    }
  }
  return { text: changed > 0 ? lines.join('\n') : text, lines: changed, present };
}

/**
 * `speaker: text` split at the `: ` that ends a known speaker label (the person's first, then the
 * longest participant name), else at the first one; undefined without any.
 */
function splitSpeaker(line: string, speakers: SpeakerBook): { speaker: string; text: string } | undefined {
  const cuts: number[] = [];
  for (let at = line.indexOf(': '); at >= 0; at = line.indexOf(': ', at + 1)) cuts.push(at);
  if (cuts.length === 0) return undefined;
  const at = (cut: number): { speaker: string; text: string } => ({
    speaker: line.slice(0, cut),
    text: line.slice(cut + 2),
  });
  const person = cuts.find((c) => speakers.isPerson(line.slice(0, c)));
  if (person !== undefined) return at(person);
  const known = [...cuts].reverse().find((c) => speakers.isKnownLabel(line.slice(0, c)));
  return at(known ?? cuts[0]!);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text when the bytes are UTF-8 (so writing it back gives the same bytes), else undefined. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function escapeVtt(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeVtt(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
