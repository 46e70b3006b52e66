// Frame readers: every format, broken lines, chunks split anywhere.
import { describe, it, expect } from 'vitest';
import { readNdjson, readCsv, readEthUcy, lines, type FrameItem } from '../../host/stream/parsers.js';

async function all(gen: AsyncGenerator<FrameItem>): Promise<FrameItem[]> {
  const out: FrameItem[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

/** The text as byte chunks of a few bytes each, split inside lines and characters. */
function chunked(text: string, size = 3): Uint8Array[] {
  const b = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

describe('lines', () => {
  it('splits chunks at newlines, handles CRLF, multi-byte characters across chunks and a last line without newline', async () => {
    const got: string[] = [];
    for await (const l of lines(chunked('aé\r\nbb\n\nc'))) got.push(`${l.line}:${l.text}`);
    expect(got).toEqual(['1:aé', '2:bb', '3:', '4:c']);
  });
  it('reports and skips a line that is too long, without holding it in memory', async () => {
    const got: { text: string; tooLong?: boolean }[] = [];
    for await (const l of lines(chunked('ok\n' + 'x'.repeat(100) + '\nafter\n', 7), 32)) got.push(l);
    expect(got.map((l) => (l.tooLong ? 'TOO LONG' : l.text))).toEqual(['ok', 'TOO LONG', 'after']);
  });
});

describe('NDJSON', () => {
  it('reads frames and reports broken lines with their numbers', async () => {
    const text = [
      '{"t": 0.0, "objects": [{"id": "ped-7", "x": 3.1, "y": -0.4, "class": "ped"}]}',
      '{"t": 0.4, "objects": [',
      '[1, 2]',
      '',
      '{"t": 0.8, "objects": [{"id": 3, "x": 1, "y": 2}]}',
    ].join('\n');
    const items = await all(readNdjson(chunked(text), { name: 'f.ndjson' }));
    expect(items.map((i) => (i.frame ? `frame ${String(i.frame.t)}` : `${i.error!.reason} ${i.error!.source}`))).toEqual([
      'frame 0', 'unparsable f.ndjson:2', 'unparsable f.ndjson:3', 'frame 0.8',
    ]);
    expect(items[0]!.frame!.objects).toEqual([{ id: 'ped-7', x: 3.1, y: -0.4, class: 'ped' }]);
    expect(items[0]!.frame!.source).toBe('f.ndjson:1');
  });
});

describe('CSV', () => {
  it('groups rows by time, keeps extra columns, reports bad rows', async () => {
    const text = 't,id,x,y,vx,class\n0,a,1,2,0.5,ped\n0,"b,1",3,4,0.1,car\n0.4,a,1.2,2,0.5,ped\n0.4,a,1,2\nx,a,1,2,0,ped\n0.8,a,nan,2,0,ped\n';
    const items = await all(readCsv(chunked(text), { name: 'f.csv' }));
    expect(items.map((i) => (i.frame ? `frame ${String(i.frame.t)} x${(i.frame.objects as unknown[]).length}` : `${i.error!.reason} ${i.error!.source}`))).toEqual([
      'frame 0 x2', 'unparsable f.csv:5', 'unparsable f.csv:6', 'frame 0.4 x1', 'frame 0.8 x1',
    ]);
    expect((items[0]!.frame!.objects as unknown[])[1]).toEqual({ id: 'b,1', x: 3, y: 4, vx: 0.1, class: 'car' });
    expect(Number.isNaN(((items[4]!.frame!.objects as unknown[])[0] as { x: number }).x)).toBe(true);
  });
  it('refuses a header without the required columns', async () => {
    const items = await all(readCsv(['time,id,x,y\n1,a,1,1\n']));
    expect(items[0]!.error!.message).toMatch(/must name t, id, x and y; missing t/);
  });
});

describe('ETH/UCY', () => {
  it('groups rows of a frame id, scales time by the frame period, reports bad lines (as they come)', async () => {
    const text = '780\t1.0\t8.46\t3.59\n790\t1.0\t9.57\t3.79\n790\t2.0\t13.64\t5.8\nbroken line\n800.0\t1.0\t10.67\t3.99\n';
    const items = await all(readEthUcy(chunked(text, 5), { name: 'e.txt' }));
    expect(items.map((i) => (i.frame ? `${i.frame.t.toFixed(2)}:${(i.frame.objects as unknown[]).length}` : i.error!.source))).toEqual([
      '31.20:1', 'e.txt:4', '31.60:2', '32.00:1',
    ]);
    expect((items[2]!.frame!.objects as unknown[])[1]).toEqual({ id: 2, x: 13.64, y: 5.8 });
  });
});
