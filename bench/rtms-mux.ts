// Benchmark of the RTMS recording path: capture write throughput (frames to segment files) and
// mux speed (× real time) of our finalize (timestamped copy-mux, H.264 never re-encoded) against
// the re-encoding approach (raw .h264 + raw PCM through libx264 -preset veryfast, the encoder
// settings of Zoom's rtms-samples helpers), both from the same captured input on this machine.
// Usage: tsx bench/rtms-mux.ts [--minutes=3] [--skip-reencode]. Writes bench/results/rtms-mux.json.
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../core/log.ts';
import { createLocalMediaStore } from '../core/adapters/local/local-media-store.ts';
import { loadTestMedia } from '../demo/simulator/media.ts';
import { captureDirOf, openCapture } from '../rtms-worker/capture/capture.ts';
import { listSegmentFiles } from '../rtms-worker/capture/park.ts';
import { readSegments, emptyReadReport } from '../rtms-worker/capture/segment-reader.ts';
import { RecordKind } from '../rtms-worker/capture/segment-format.ts';
import { runFfmpeg } from '../rtms-worker/capture/mux.ts';
import { mib, round } from './lib/load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const MINUTES = Number(args.get('minutes') ?? 3);
const SKIP_REENCODE = args.has('skip-reencode');
const FPS = 25;
const T0 = 1_700_000_000_000;
const UUID = 'bench-meeting==';

function peakRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const media = await loadTestMedia({ seconds: 10, fps: FPS });
  const root = await mkdtemp(join(tmpdir(), 'bench-rtms-mux-'));
  try {
    const store = createLocalMediaStore(join(root, 's3'));
    const durationMs = MINUTES * 60_000;
    // A camera-off minute-fraction and a muted stretch, so the copy-mux also fills gaps.
    const videoGap: [number, number] = [durationMs * 0.3, durationMs * 0.3 + 20_000];
    const audioGap: [number, number] = [durationMs * 0.6, durationMs * 0.6 + 15_000];
    const cap = await openCapture({
      rootDir: join(root, 'cap'),
      meetingUuid: UUID,
      streamId: 's1',
      owner: 'bench',
      dropParkedSegments: false, // the baseline below reads the very same segments
      media: store,
      ffmpegPath: 'ffmpeg',
      log: createLogger({ level: 'info', format: 'json' }),
      videoFps: FPS,
    });

    // 1. Capture: frames in timestamp order, as fast as the writer drains.
    const rssCapture = peakRss();
    let frames = 0;
    let bytes = 0;
    const began = performance.now();
    for (let sliceStart = 0; sliceStart < durationMs; sliceStart += 10_000) {
      for (let t = sliceStart; t < Math.min(durationMs, sliceStart + 10_000); t += 20) {
        if (!(t >= audioGap[0] && t < audioGap[1])) {
          const data = media.audioFrames[(t / 20) % media.audioFrames.length]!;
          cap.audio({ userId: 0, timestamp: T0 + t, data });
          frames++;
          bytes += data.length;
        }
        if (t % 40 === 0 && !(t >= videoGap[0] && t < videoGap[1])) {
          const data = media.videoFrames[(t / 40) % media.videoFrames.length]!;
          cap.video({ userId: 16778240, userName: 'Bench', timestamp: T0 + t, data });
          frames++;
          bytes += data.length;
        }
      }
      cap.transcript({
        userId: 16778240,
        timestamp: T0 + sliceStart,
        startTime: T0 + sliceStart,
        endTime: T0 + sliceStart + 4000,
        text: `utterance at ${sliceStart / 1000} s`,
      });
      while (cap.saturated) await new Promise((r) => setTimeout(r, 5));
    }
    while (cap.stats().backlogBytes > 0) await new Promise((r) => setTimeout(r, 5));
    const captureMs = performance.now() - began;
    const captureRss = rssCapture.stop();
    if (cap.stats().droppedFrames > 0) throw new Error(`capture dropped ${cap.stats().droppedFrames} frames`);

    // 2. Baseline input from the very same segments: raw .h264 and raw PCM, as Zoom's samples save them.
    const dir = captureDirOf(join(root, 'cap'), UUID, 's1');
    const files = (await listSegmentFiles(dir)).map((f) => join(dir, f));
    const baseDir = join(root, 'baseline');
    await mkdir(baseDir, { recursive: true });
    const h264 = await open(join(baseDir, 'video.h264'), 'w');
    const pcm = await open(join(baseDir, 'audio.raw'), 'w');
    for await (const r of readSegments(files, emptyReadReport())) {
      if (r.kind === RecordKind.Video) await h264.write(r.data);
      else if (r.kind === RecordKind.Audio) await pcm.write(r.data);
    }
    await h264.close();
    await pcm.close();

    // 3. Our finalize: two passes, wav + timestamped TS, ffmpeg copy-mux, transcripts, checksums, upload.
    const rssMux = peakRss();
    const m0 = performance.now();
    const manifest = await cap.finish({ endedAt: T0 + durationMs });
    const copyMs = performance.now() - m0;
    const muxRss = rssMux.stop();

    // 4. The re-encoding approach on the same input.
    let reencodeMs: number | undefined;
    if (!SKIP_REENCODE) {
      const r0 = performance.now();
      await runFfmpeg('ffmpeg', [
        ...[
          '-nostdin',
          '-v',
          'error',
          '-y',
          '-f',
          's16le',
          '-ar',
          '16000',
          '-ac',
          '1',
          '-i',
          join(baseDir, 'audio.raw'),
        ],
        ...['-framerate', String(FPS), '-f', 'h264', '-i', join(baseDir, 'video.h264')],
        ...[
          '-map',
          '1:v:0',
          '-map',
          '0:a:0',
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-c:a',
          'aac',
          '-shortest',
          join(baseDir, 'out.mp4'),
        ],
      ]);
      reencodeMs = performance.now() - r0;
    }

    const seconds = durationMs / 1000;
    const result = {
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        // Other work on the machine slows every figure; recorded so runs can be compared.
        loadAverageAtStart: round(loadAtStart, 1),
      },
      input: {
        minutes: MINUTES,
        video: `${media.width}x${media.height}@${FPS} H.264 ~1.5 Mbit/s`,
        audio: '16 kHz mono L16, 20 ms frames',
        frames,
        mib: mib(bytes),
      },
      capture: {
        framesPerSecond: Math.round(frames / (captureMs / 1000)),
        mibPerSecond: round(bytes / 1024 / 1024 / (captureMs / 1000), 1),
        realTimeStreamsEquivalent: Math.round(seconds / (captureMs / 1000)),
        peakRssMib: mib(captureRss),
      },
      copyMux: {
        seconds: round(copyMs / 1000),
        timesRealTime: round(seconds / (copyMs / 1000), 1),
        peakRssMib: mib(muxRss),
        status: manifest.status,
      },
      reencode:
        reencodeMs === undefined
          ? null
          : { seconds: round(reencodeMs / 1000), timesRealTime: round(seconds / (reencodeMs / 1000), 1) },
      speedup: reencodeMs === undefined ? null : round(reencodeMs / copyMs, 1),
    };
    console.table({
      'capture (frames → segments)': {
        'x real time': result.capture.realTimeStreamsEquivalent,
        'frames/s': result.capture.framesPerSecond,
        'peak RSS MiB': result.capture.peakRssMib,
      },
      'finalize, copy-mux (ours)': {
        'x real time': result.copyMux.timesRealTime,
        seconds: result.copyMux.seconds,
        'peak RSS MiB': result.copyMux.peakRssMib,
      },
      're-encode, libx264 veryfast': {
        'x real time': result.reencode?.timesRealTime ?? '-',
        seconds: result.reencode?.seconds ?? '-',
      },
    });
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/rtms-mux.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
