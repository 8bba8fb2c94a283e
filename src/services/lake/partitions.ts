import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import type { WebHdfs } from '../../clients/webhdfs.js';
import type { LakeTableSpec } from './tables.js';

/** One hour of a table (/lake/<table>/day=YYYY-MM-DD/hour=H), or one day of a table partitioned by day only. */
export interface Partition {
  day: string;
  /** Undefined: the partition is the whole day. */
  hour?: number;
  path: string;
  /** Epoch ms of its start (UTC). */
  start: number;
  /** What it covers: an hour or a day, in ms. */
  spanMs: number;
}

export interface TableListing {
  name: string;
  dir: string;
  topic?: string;
  exists: boolean;
  partitions: number;
  bytes: number;
  files: number;
  newest?: { day: string; hour?: number; rows: number; files: number };
  oldest?: { day: string; hour?: number };
}

const DAY = /^day=(\d{4}-\d{2}-\d{2})$/;
const HOUR = /^hour=(\d{1,2})$/;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Data files: what Spark and Hive read (names starting with _ or . are theirs or in progress). */
export const isDataFile = (name: string): boolean => !name.startsWith('_') && !name.startsWith('.') && name.endsWith('.parquet');

export async function partitionsOf(fs: WebHdfs, dir: string): Promise<Partition[]> {
  const days = (await fs.list(dir)) ?? [];
  const out: Partition[] = [];
  await Promise.all(
    days
      .filter((d) => d.dir && DAY.test(d.name))
      .map(async (d) => {
        const day = DAY.exec(d.name)![1]!;
        const start = Date.parse(`${day}T00:00:00Z`);
        const inside = (await fs.list(`${dir}/${d.name}`)) ?? [];
        const hours = inside.filter((h) => h.dir && HOUR.test(h.name));
        for (const h of hours) {
          const hour = Number(HOUR.exec(h.name)![1]);
          out.push({ day, hour, path: `${dir}/${d.name}/${h.name}`, start: start + hour * HOUR_MS, spanMs: HOUR_MS });
        }
        // A table of the user's partitioned by day only: the day is the partition.
        if (!hours.length && inside.some((f) => !f.dir && isDataFile(f.name))) out.push({ day, path: `${dir}/${d.name}`, start, spanMs: DAY_MS });
      }),
  );
  return out.sort((a, b) => a.start - b.start);
}

/** A Parquet file on HDFS as hyparquet reads it: ranges fetched through WebHDFS as they are asked for. */
export function hdfsParquetFile(fs: WebHdfs, file: string, length: number): AsyncBuffer {
  return {
    byteLength: length,
    slice: async (start, end) => {
      const b = await fs.readRange(file, start, (end ?? length) - start);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}

/** Rows in a Parquet file, from its footer: two small reads, never the data. */
export async function parquetRows(fs: WebHdfs, file: string, length: number): Promise<number> {
  const meta = await parquetMetadataAsync(hdfsParquetFile(fs, file, length), { initialFetchSize: Math.min(length, 64 * 1024) });
  return Number(meta.num_rows);
}

export async function partitionRows(fs: WebHdfs, p: Partition): Promise<{ rows: number; files: number }> {
  const files = ((await fs.list(p.path)) ?? []).filter((f) => !f.dir && isDataFile(f.name) && f.length > 0);
  const rows = await Promise.all(files.map((f) => parquetRows(fs, `${p.path}/${f.name}`, f.length)));
  return { rows: rows.reduce((a, b) => a + b, 0), files: files.length };
}

export async function listTable(fs: WebHdfs, t: LakeTableSpec): Promise<TableListing> {
  const [summary, parts] = await Promise.all([fs.summary(t.dir), partitionsOf(fs, t.dir)]);
  const base = {
    name: t.name,
    dir: t.dir,
    topic: t.topic,
    exists: summary !== undefined,
    partitions: parts.length,
    bytes: summary?.bytes ?? 0,
    files: summary?.files ?? 0,
  };
  const newest = parts.at(-1);
  const oldest = parts[0];
  if (!newest || !oldest) return base;
  return {
    ...base,
    newest: { day: newest.day, hour: newest.hour, ...(await partitionRows(fs, newest)) },
    oldest: { day: oldest.day, hour: oldest.hour },
  };
}

/**
 * Partitions past a table's retention: those whose hour ended before now - retention. Whole days go as one
 * directory once the day ended before the cutoff, so a prune is a handful of deletes, not one per hour.
 */
export function expired(parts: Partition[], retentionMs: number, now: number): { paths: string[]; partitions: number } {
  const cutoff = now - retentionMs;
  const byDay = new Map<string, Partition[]>();
  for (const p of parts) byDay.set(p.day, [...(byDay.get(p.day) ?? []), p]);
  const paths: string[] = [];
  let partitions = 0;
  for (const [day, all] of byDay) {
    const gone = all.filter((p) => p.start + p.spanMs <= cutoff);
    partitions += gone.length;
    if (!gone.length) continue;
    // A day goes whole only once it has ended before the cutoff (then so has each of its hours): until then a late
    // event may still be landing in a later hour.
    if (Date.parse(`${day}T00:00:00Z`) + DAY_MS <= cutoff) paths.push(all[0]!.path.replace(/\/hour=\d+$/, ''));
    else paths.push(...gone.map((p) => p.path));
  }
  return { paths, partitions };
}

/** Drops the expired partitions of a table; returns what it dropped (or, dry, would drop). */
export async function pruneTable(fs: WebHdfs, t: LakeTableSpec, now: number, dryRun: boolean): Promise<{ table: string; partitions: number; paths: string[] }> {
  const plan = expired(await partitionsOf(fs, t.dir), t.retentionMs, now);
  if (!dryRun) for (const p of plan.paths) await fs.delete(p, true);
  return { table: t.name, ...plan };
}
