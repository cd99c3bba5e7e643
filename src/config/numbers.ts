import { ConfigError } from '../errors.js';

/** A whole number flag within bounds, or a ConfigError naming the flag and the value. */
export function intFlag(value: string | number | undefined, flag: string, def: number, min: number, max: number): number {
  if (value === undefined) return def;
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag} "${value}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

export function shareFlag(value: string | number | undefined, flag: string, def: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(`${flag} "${value}" must be a number from 0 to 1`);
  return n;
}
