// The platform's retention from other ZT_RETENTION_* inputs: lifecycle rules and partition expiration
// follow them, `forever` drops the delete, short limits drop the colder classes that would not pay.
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { RETENTION_DEFAULTS } from '../core/retention-settings.ts';
import { InputsError, parseInputs } from './inputs.ts';
import { bucketLifecycleRules, partitionExpiration } from './retention-rules.ts';
import { STACK_NAME, ZoomTrackerStack } from './stack.ts';

const BASE = { ZT_PROJECT_ID: 'acme-zoom-prod', ZT_STAGE: 'foundation' };
const DAY = 86_400_000;

type Json = Record<string, unknown>;
function synth(env: Record<string, string>): Record<string, Record<string, Json>> {
  const stack = new ZoomTrackerStack(Testing.app(), STACK_NAME, parseInputs({ ...BASE, ...env }));
  return (JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Json>> }).resource;
}
const rulesText = (rules: ReturnType<typeof bucketLifecycleRules>): string[] =>
  rules.map(
    (r) =>
      `${(r.condition.matchesPrefix ?? []).join('+')} ${String(r.condition.age)}:${r.action.type}:${r.action.storageClass ?? ''}`,
  );

describe('bucket lifecycle rules', () => {
  it('forever: no delete, and raw/ reaches Coldline after a year', () => {
    const forever = {
      rawDays: null,
      quarantineDays: null,
      warehouseDays: null,
      recordingsDays: null,
      exportsDays: null,
    };
    expect(rulesText(bucketLifecycleRules(forever))).toEqual([
      'raw/+qos/ 30:SetStorageClass:NEARLINE',
      'raw/+qos/ 365:SetStorageClass:COLDLINE',
      'reports/ 30:SetStorageClass:NEARLINE',
    ]);
  });

  it('short limits: only the delete (a class billed for longer than the data lives would cost more)', () => {
    const short = { ...RETENTION_DEFAULTS, rawDays: 59, quarantineDays: 1, exportsDays: 7 };
    expect(rulesText(bucketLifecycleRules(short))).toEqual([
      'raw/+qos/ 59:Delete:',
      'quarantine/ 1:Delete:',
      'reports/ 7:Delete:',
    ]);
    expect(rulesText(bucketLifecycleRules({ ...short, rawDays: 60, exportsDays: 455 }))).toEqual([
      'raw/+qos/ 30:SetStorageClass:NEARLINE',
      'raw/+qos/ 60:Delete:',
      'quarantine/ 1:Delete:',
      'reports/ 30:SetStorageClass:NEARLINE',
      'reports/ 455:Delete:',
    ]);
    expect(rulesText(bucketLifecycleRules({ ...short, rawDays: 455 })).slice(0, 3)).toEqual([
      'raw/+qos/ 30:SetStorageClass:NEARLINE',
      'raw/+qos/ 365:SetStorageClass:COLDLINE',
      'raw/+qos/ 455:Delete:',
    ]);
  });

  it('never reaches erasures/: every rule is limited to prefixes an erasure receipt does not start with', () => {
    const receipt = 'erasures/2026-12-06/3f9a.json';
    const variants = [
      RETENTION_DEFAULTS,
      { ...RETENTION_DEFAULTS, rawDays: 1, quarantineDays: 1, exportsDays: 1 },
      { ...RETENTION_DEFAULTS, rawDays: 36500, quarantineDays: 36500, exportsDays: 36500 },
      { rawDays: null, quarantineDays: null, warehouseDays: null, recordingsDays: null, exportsDays: null },
    ];
    const applying = variants.flatMap((settings) =>
      bucketLifecycleRules(settings).filter((r) => {
        const prefixes = r.condition.matchesPrefix ?? [];
        // A rule without a prefix (or with a suffix-only condition) would match every object.
        return prefixes.length === 0 || prefixes.some((p) => receipt.startsWith(p));
      }),
    );
    expect(applying).toEqual([]);
    const prefixes = new Set(
      variants.flatMap((v) => bucketLifecycleRules(v).flatMap((r) => r.condition.matchesPrefix ?? [])),
    );
    expect([...prefixes].sort()).toEqual(['qos/', 'quarantine/', 'raw/', 'reports/']);
  });

  it('the Coldline step only moves Nearline objects, the Nearline step only Standard ones', () => {
    const rules = bucketLifecycleRules({ ...RETENTION_DEFAULTS, rawDays: null });
    expect(rules.slice(0, 2).map((r) => r.condition.matchesStorageClass)).toEqual([
      ['STANDARD'],
      ['NEARLINE'],
    ]);
  });
});

describe('partition expiration', () => {
  it('is the setting in ms, recordings by the recordings setting, none when forever', () => {
    const s = { ...RETENTION_DEFAULTS, warehouseDays: 30, recordingsDays: null };
    expect(partitionExpiration('raw_events', s)).toEqual({ expirationMs: 30 * DAY });
    expect(partitionExpiration('recordings', s)).toEqual({});
  });
});

describe('ZT_RETENTION_* inputs', () => {
  it('reach the bucket, the dataset and the tables', () => {
    const r = synth({
      ZT_RETENTION_RAW_DAYS: 'forever',
      ZT_RETENTION_QUARANTINE_DAYS: '14',
      ZT_RETENTION_WAREHOUSE_DAYS: 'forever',
      ZT_RETENTION_RECORDINGS_DAYS: '30',
      ZT_RETENTION_EXPORTS_DAYS: '31',
    });
    const bucket = r.google_storage_bucket?.bucket as { lifecycle_rule: { condition: Json; action: Json }[] };
    expect(
      bucket.lifecycle_rule.map(
        (x) =>
          `${(x.condition.matches_prefix as string[]).join('+')} ${String(x.condition.age)}:${String(x.action.type)}`,
      ),
    ).toEqual([
      'raw/+qos/ 30:SetStorageClass',
      'raw/+qos/ 365:SetStorageClass',
      'quarantine/ 14:Delete',
      'reports/ 31:Delete',
    ]);
    expect(r.google_bigquery_dataset?.dataset?.default_partition_expiration_ms).toBeUndefined();
    const tp = (t: string) => r.google_bigquery_table?.[`table_${t}`]?.time_partitioning as Json;
    expect(tp('raw_events')).toEqual({ type: 'DAY', field: 'event_date' });
    expect(tp('recordings')).toEqual({ type: 'DAY', field: 'recording_date', expiration_ms: 30 * DAY });
  });

  it('refuse what is not whole days or forever', () => {
    expect(() =>
      parseInputs({ ...BASE, ZT_RETENTION_RAW_DAYS: '0', ZT_RETENTION_EXPORTS_DAYS: 'a year' }),
    ).toThrow(InputsError);
    try {
      parseInputs({ ...BASE, ZT_RETENTION_RAW_DAYS: '0', ZT_RETENTION_EXPORTS_DAYS: 'a year' });
    } catch (err) {
      expect((err as InputsError).problems).toEqual([
        'ZT_RETENTION_RAW_DAYS must be a whole number of days (1 to 36500) or "forever"',
        'ZT_RETENTION_EXPORTS_DAYS must be a whole number of days (1 to 36500) or "forever"',
      ]);
    }
  });
});
