// Cloud Scheduler gets the schedules `serve` runs on the embedded default: the same setting names,
// defaults and cron parser (core/schedules.ts), in the report time zone; ZT_* overrides per deployment.
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { SCHEDULE_DEFAULTS } from '../core/schedules.ts';
import { InputsError, parseInputs } from './inputs.ts';
import { STACK_NAME, ZoomTrackerStack } from './stack.ts';

const BASE = {
  ZT_PROJECT_ID: 'acme-zoom-prod',
  ZT_IMAGE_TAG: 'v1.2.3',
  ZT_S3_BUCKET: 'acme-recordings',
  ZT_REPORT_TIMEZONE: 'Europe/Berlin',
};

/** resource name → schedule and time zone of the synthesized Cloud Scheduler jobs. */
function schedules(env: Record<string, string>): Record<string, string> {
  const stack = new ZoomTrackerStack(Testing.app(), STACK_NAME, parseInputs(env));
  const json = JSON.parse(Testing.synth(stack)) as {
    resource: {
      google_cloud_scheduler_job: Record<string, { schedule: string; time_zone: string }>;
    };
  };
  return Object.fromEntries(
    Object.entries(json.resource.google_cloud_scheduler_job).map(([name, s]) => [
      name,
      `${s.schedule} ${s.time_zone}`,
    ]),
  );
}

describe('terraform schedules', () => {
  it('defaults to what serve runs: the config defaults, in the report time zone', () => {
    const config = parseConfig({});
    expect([config.BACKFILL_SCHEDULE, config.REPORT_SCHEDULE, config.EXPORT_SCHEDULE]).toEqual([
      '30 22 * * *',
      '0 23 * * *',
      '30 23 * * *',
    ]);
    expect(schedules(BASE)).toEqual({
      schedule_backfill_camera: `${SCHEDULE_DEFAULTS.BACKFILL_SCHEDULE} Europe/Berlin`,
      schedule_report: `${SCHEDULE_DEFAULTS.REPORT_SCHEDULE} Europe/Berlin`,
      schedule_export: `${SCHEDULE_DEFAULTS.EXPORT_SCHEDULE} Europe/Berlin`,
    });
  });

  it('reads REPORT_SCHEDULE and the others as serve does; ZT_<name> overrides for the deployment', () => {
    const got = schedules({
      ...BASE,
      REPORT_SCHEDULE: '15 21 * * 1-5',
      EXPORT_SCHEDULE: '45 21 * * 1-5',
      ZT_EXPORT_SCHEDULE: '50 21 * * 1-5',
    });
    expect(got['schedule_report']).toBe('15 21 * * 1-5 Europe/Berlin');
    expect(got['schedule_export']).toBe('50 21 * * 1-5 Europe/Berlin');
    expect(got['schedule_backfill_camera']).toBe('30 22 * * * Europe/Berlin');
  });

  it('rejects a schedule with the parser serve uses, naming the field', () => {
    expect(() => parseInputs({ ...BASE, REPORT_SCHEDULE: '0 24 * * *' })).toThrow(InputsError);
    expect(() => parseInputs({ ...BASE, REPORT_SCHEDULE: '0 24 * * *' })).toThrow(
      /ZT_REPORT_SCHEDULE must be a 5-field cron expression: hour: 24 is outside 0-23/,
    );
    expect(() => parseConfig({ REPORT_SCHEDULE: '0 24 * * *' })).toThrow(
      /REPORT_SCHEDULE must be a 5-field cron expression: hour: 24 is outside 0-23 \(got "0 24 \* \* \*"\)/,
    );
  });
});
