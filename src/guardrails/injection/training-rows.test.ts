/**
 * The written training rows (scripts/injection-training-rows/) against the probe sets that
 * measure what they taught: a probe the model trained on, or a near-copy of one, would make the
 * probe figures a score on training data. Also the twin pairing the planted-order files rely on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writtenRows } from '../../../scripts/injection-synthetic-rows.js';

const PROBES = new URL('./probes/', import.meta.url);
const probeTexts = readdirSync(PROBES)
  .filter((file) => file.endsWith('.jsonl'))
  .flatMap((file) =>
    readFileSync(new URL(file, PROBES), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({ file, ...(JSON.parse(line) as { id: string; text: string }) })),
  );

/** Word 5-grams, lower-cased, any script. */
function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 5 <= words.length; i++) out.add(words.slice(i, i + 5).join(' '));
  // a text under five words is its own single shingle
  if (words.length > 0 && words.length < 5) out.add(words.join(' '));
  return out;
}

describe('written injection training rows', () => {
  const rows = writtenRows();

  it('are many, of both labels, with unique ids', () => {
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.some((r) => r.label) && rows.some((r) => !r.label)).toBe(true);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('pair every planted order with its clean twin: the same content without the order', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const planted = rows.filter((r) => /\/t\d?B-\d+$/.test(r.id));
    expect(planted.length).toBeGreaterThan(300);
    for (const row of planted) {
      const twin = byId.get(row.id.replace(/B-(\d+)$/, 'C-$1'));
      expect(twin, row.id).toBeDefined();
      expect([row.label, twin?.label]).toEqual([true, false]);
      expect(twin!.text.length, row.id).toBeLessThan(row.text.length);
    }
  });

  it('share no more than a third of their word 5-grams with any probe row', () => {
    const index = new Map<string, number[]>();
    probeTexts.forEach((probe, k) => {
      for (const g of shingles(probe.text)) index.set(g, [...(index.get(g) ?? []), k]);
    });
    const probeSizes = probeTexts.map((p) => shingles(p.text).size);
    const overlaps: string[] = [];
    for (const row of rows) {
      const own = shingles(row.text);
      const shared = new Map<number, number>();
      for (const g of own) for (const k of index.get(g) ?? []) shared.set(k, (shared.get(k) ?? 0) + 1);
      for (const [k, n] of shared) {
        if (n / Math.min(own.size, probeSizes[k]!) > 1 / 3) overlaps.push(`${row.id} ~ ${probeTexts[k]!.file} ${probeTexts[k]!.id}`);
      }
    }
    expect(overlaps).toEqual([]);
  });
});
