// Just enough H.264 Annex-B parsing for capture: NAL unit types of an access unit, and whether
// it can start a decodable video (SPS + PPS + IDR).

export const NalType = { NonIdr: 1, Idr: 5, Sei: 6, Sps: 7, Pps: 8, Aud: 9 } as const;

/** Start offsets (of the NAL header, after the 00 00 01 start code) of each NAL unit. */
export function nalStarts(buf: Buffer): number[] {
  const out: number[] = [];
  const n = buf.length;
  for (let i = 0; i + 2 < n; i++) {
    if (buf[i + 2]! > 1) {
      i += 2;
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      out.push(i + 3);
      i += 2;
    }
  }
  return out;
}

/** NAL unit types in an Annex-B access unit, in order. */
export function nalTypes(au: Buffer): number[] {
  return nalStarts(au)
    .filter((s) => s < au.length)
    .map((s) => au[s]! & 0x1f);
}

/** The NAL units of an Annex-B buffer, each with its 4-byte start code. */
export function splitNals(buf: Buffer): Buffer[] {
  const starts = nalStarts(buf);
  const out: Buffer[] = [];
  for (let k = 0; k < starts.length; k++) {
    const begin = starts[k]!;
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : buf.length;
    while (end > begin && buf[end - 1] === 0) end--; // trailing zero of a 4-byte start code
    out.push(Buffer.concat([Buffer.from([0, 0, 0, 1]), buf.subarray(begin, end)]));
  }
  return out;
}

export function isIdr(au: Buffer): boolean {
  return nalTypes(au).includes(NalType.Idr);
}
