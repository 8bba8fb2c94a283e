// Durations as people write them in an inventory: "500 ms", "2 seconds", "1s", "15 min", "7 days", "36h".
// One grammar for every duration setting, so the schema's pattern and the parser cannot disagree.

const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** JSON-schema pattern of a duration: a number and a unit, or a bare 0. */
export const DURATION_PATTERN = `^(0|\\d+(\\.\\d+)? ?(${Object.keys(UNITS).join('|')}))$`;

/** Milliseconds in a duration; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([a-z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1]!);
  if (m[2] === '') return n === 0 ? 0 : undefined;
  const unit = UNITS[m[2]!];
  return unit === undefined ? undefined : Math.round(n * unit);
}
