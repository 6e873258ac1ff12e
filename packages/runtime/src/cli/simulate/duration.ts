import { CliError } from '../cli-context';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration of the command line or a scenario file: a number with a unit, `500ms`, `90s`, `10m`, `1h`
 * (or several, `1h30m`), into seconds. A bare number is refused: `10` could mean seconds or minutes.
 */
export function parseDuration(what: string, raw: unknown): number {
  if (typeof raw !== 'string' || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw.trim())) {
    throw new CliError(`${what} must be a duration such as 90s, 10m or 1h, got ${JSON.stringify(raw)}`);
  }
  let seconds = 0;
  for (const [, value, , unit] of raw.trim().matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) seconds += Number(value) * UNITS[unit];
  return seconds;
}

/** `600` → `10m`, `90` → `1m30s`, `0.5` → `500ms`: for messages and chart axes. */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}
