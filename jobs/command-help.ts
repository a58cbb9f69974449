// What `zoom-tracker help` and `zoom-tracker <job> --help` print for the batch jobs: one line for
// the command list, and the full text (what it does, its options, which day it covers by default).

const BESIDE_SERVE =
  'On the embedded default a running `zoom-tracker serve` on the same DATA_DIR runs the job itself\n' +
  '(this command hands it over and shows its progress); otherwise it runs here.';

const SCHEDULED_DAYS =
  'Without --date it runs yesterday, then today, in REPORT_TIMEZONE: what the scheduled run does\n' +
  '(each day is redone the next day, so it is final once the following day has run).';

function help(usage: string, what: string, options: string[], days: string): string {
  return [
    `usage: zoom-tracker ${usage}`,
    '',
    what,
    days,
    '',
    'options:',
    ...options.map((o) => `  ${o}`),
    '  -h, --help        this help',
    '',
    BESIDE_SERVE,
  ].join('\n');
}

const DATE = '--date D          the day, YYYY-MM-DD (in REPORT_TIMEZONE)';

export const JOB_HELP = {
  report: {
    usage: 'report [--date D]          write daily_reports for D (default: yesterday and today)',
    help: help(
      'report [--date D]',
      'Writes the daily report (one row per participant per breakout-room visit) into daily_reports;\na rerun replaces the day.',
      [DATE],
      SCHEDULED_DAYS,
    ),
  },
  export: {
    usage: 'export [--date D]          export D to reports/DAILY_REPORT_D_000000000000.csv',
    help: help(
      'export [--date D]',
      'Exports daily_reports of a day as CSV to reports/DAILY_REPORT_D_000000000000.csv in the archive\n($DATA_DIR/gcs/ or the bucket); a rerun replaces the file. Run `report` for the day first.',
      [DATE],
      SCHEDULED_DAYS,
    ),
  },
  'backfill-camera': {
    usage: 'backfill-camera [--date D] [--force]   camera minutes of D from the Zoom Dashboard QoS API',
    help: help(
      'backfill-camera [--date D] [--force]',
      'Fetches per-minute camera data of every meeting of the day from the Zoom Dashboard QoS API into\ncamera_minutes. Needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET. Resumable: meetings\nalready done are skipped.',
      [DATE, '--force           fetch meetings already done again'],
      SCHEDULED_DAYS,
    ),
  },
  replay: {
    usage: 'replay [--date D]          rebuild the warehouse rows of D from the raw archive',
    help: help(
      'replay [--date D]',
      'Rebuilds the webhook rows of raw_events for a day from the raw archive (raw/D/*.json);\nidempotent.',
      [DATE],
      'Without --date: yesterday in REPORT_TIMEZONE.',
    ),
  },
  attendance: {
    usage:
      'attendance [--date D] --roster FILE [--out FILE]   Present/Late/Left Early/Absent per roster member per meeting',
    help: help(
      'attendance [--date D] --roster FILE [--out FILE]',
      "Matches the day's presence to a roster by e-mail: Present, Late, Left Early, Absent or Guest per\nroster member per meeting, into the attendance table and reports/ATTENDANCE_D.csv.",
      [
        DATE,
        '--roster FILE     roster CSV: email, first name, last name, id, department',
        '--out FILE        also write the CSV to FILE',
      ],
      'Without --date: yesterday in REPORT_TIMEZONE.',
    ),
  },
} as const;
