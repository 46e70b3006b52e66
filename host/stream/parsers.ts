// Streaming frame readers: NDJSON (one frame per line), CSV rows (`t,id,x,y,...` with a header)
// and the ETH/UCY text format (`frame id x y`). Each takes any async iterable of text or bytes (a
// file stream, stdin, a fetch body reader, an array) and yields frames and error records as they
// complete; memory holds one line and one frame, whatever the length of the input.

import type { Frame, Rejection } from './predictor.js';

export type FrameFormat = 'ndjson' | 'csv' | 'ethucy';

export type FrameItem = { frame: Frame; error?: undefined } | { error: Rejection; frame?: undefined };

export interface ReadOptions {
  /** Name used in error records ("file:line"). */
  name?: string;
  /** ETH/UCY: seconds per unit of frame id. Default 0.04 (ids step by 10 per 0.4 s). */
  framePeriod?: number;
  /** Longest line accepted, in characters (longer ones are reported and skipped). Default 1 MiB. */
  maxLine?: number;
}

export type Chunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Lines of a chunked text stream, with their numbers; a final line without newline included. */
export async function* lines(source: Chunks, maxLine = 1 << 20): AsyncGenerator<{ text: string; line: number; tooLong?: boolean }> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let line = 0;
  let skipping = false;
  for await (const chunk of source as AsyncIterable<string | Uint8Array>) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      line++;
      if (skipping) { skipping = false; continue; }
      yield { text, line };
    }
    if (skipping) buf = '';                   // still inside an over-long line: drop it
    else if (buf.length > maxLine) {
      yield { text: '', line: line + 1, tooLong: true };
      buf = '';
      skipping = true;
    }
  }
  buf += decoder.decode();
  if (buf.length > 0 && !skipping) yield { text: buf.replace(/\r$/, ''), line: line + 1 };
}

const unparsable = (source: string, message: string): FrameItem => ({ error: { reason: 'unparsable', message, source } });

/** NDJSON: each non-empty line one frame, {"t": seconds, "objects": [{"id", "x", "y", ...}]}. */
export async function* readNdjson(source: Chunks, options: ReadOptions = {}): AsyncGenerator<FrameItem> {
  const name = options.name ?? 'input';
  for await (const { text, line, tooLong } of lines(source, options.maxLine)) {
    const where = `${name}:${line}`;
    if (tooLong) { yield unparsable(where, `line is longer than ${options.maxLine ?? 1 << 20} characters; skipped`); continue; }
    if (!text.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      yield unparsable(where, `not JSON: ${(e as Error).message}`);
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { yield unparsable(where, 'a frame must be a JSON object with t and objects'); continue; }
    const o = v as Record<string, unknown>;
    yield { frame: { t: o.t, objects: o.objects, source: where } };
  }
}

/** A CSV cell: a number when it reads as one (NaN and Infinity included, for the predictor to
 *  report), else the text. */
function value(s: string): string | number {
  const t = s.trim();
  if (t === '') return t;
  const n = Number(t);
  return Number.isNaN(n) && !/^[+-]?nan$/i.test(t) ? t : n;
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** CSV with a header naming at least t, id, x, y; consecutive rows with the same t form a frame.
 *  Ids are text; other columns are numbers where they parse as numbers. */
export async function* readCsv(source: Chunks, options: ReadOptions = {}): AsyncGenerator<FrameItem> {
  const name = options.name ?? 'input';
  let header: string[] | undefined;
  let frame: { t: number; objects: Record<string, unknown>[]; source: string } | undefined;
  for await (const { text, line, tooLong } of lines(source, options.maxLine)) {
    const where = `${name}:${line}`;
    if (tooLong) { yield unparsable(where, 'line too long; skipped'); continue; }
    if (!text.trim() || text.startsWith('#')) continue;
    const cells = splitCsv(text);
    if (!header) {
      header = cells.map((c) => c.trim());
      const missing = ['t', 'id', 'x', 'y'].filter((k) => !header!.includes(k));
      if (missing.length) {
        yield unparsable(where, `CSV header must name t, id, x and y; missing ${missing.join(', ')}`);
        header = undefined;
      }
      continue;
    }
    if (cells.length !== header.length) { yield unparsable(where, `row has ${cells.length} cells, the header ${header.length}`); continue; }
    const rec: Record<string, unknown> = {};
    header.forEach((h, i) => { rec[h] = h === 'id' ? cells[i]!.trim() : value(cells[i]!); });
    const t = rec.t;
    delete rec.t;
    if (typeof t !== 'number' || !Number.isFinite(t)) { yield unparsable(where, `time '${cells[header.indexOf('t')]}' is not a number`); continue; }
    if (frame && frame.t !== t) { yield { frame }; frame = undefined; }
    frame ??= { t, objects: [], source: where };
    frame.objects.push(rec);
  }
  if (frame) yield { frame };
}

/** ETH/UCY text: `frame id x y` (tabs or spaces); rows of one frame id form a frame at
 *  t = frame id * framePeriod. Ids are numbers. */
export async function* readEthUcy(source: Chunks, options: ReadOptions = {}): AsyncGenerator<FrameItem> {
  const name = options.name ?? 'input';
  const period = options.framePeriod ?? 0.04;
  let frame: { t: number; id: number; objects: Record<string, unknown>[]; source: string } | undefined;
  for await (const { text, line, tooLong } of lines(source, options.maxLine)) {
    const where = `${name}:${line}`;
    if (tooLong) { yield unparsable(where, 'line too long; skipped'); continue; }
    const s = text.trim();
    if (!s || s.startsWith('#')) continue;
    const parts = s.split(/[\s,]+/);
    const [f, id, x, y] = parts.map(Number);
    if (parts.length < 4 || !Number.isFinite(f) || !Number.isFinite(id)) { yield unparsable(where, `expected 'frame id x y', got '${s.slice(0, 80)}'`); continue; }
    if (frame && frame.id !== f) { yield { frame: { t: frame.t, objects: frame.objects, source: frame.source } }; frame = undefined; }
    frame ??= { t: f! * period, id: f!, objects: [], source: where };
    frame.objects.push({ id, x, y });
  }
  if (frame) yield { frame: { t: frame.t, objects: frame.objects, source: frame.source } };
}

export function readFrames(source: Chunks, format: FrameFormat, options: ReadOptions = {}): AsyncGenerator<FrameItem> {
  if (format === 'csv') return readCsv(source, options);
  if (format === 'ethucy') return readEthUcy(source, options);
  return readNdjson(source, options);
}

/** The format a file name suggests. */
export function formatOf(name: string): FrameFormat | undefined {
  const n = name.toLowerCase();
  if (n.endsWith('.ndjson') || n.endsWith('.jsonl') || n.endsWith('.json')) return 'ndjson';
  if (n.endsWith('.csv')) return 'csv';
  if (n.endsWith('.txt')) return 'ethucy';
  return undefined;
}
