/** Reading admin query strings and form fields: one value per name, trimmed; calendar dates. */

export type Query = Record<string, string | string[] | undefined>;

/** The first value given for `name`, trimmed; undefined when absent or blank. */
export function first(q: Query, name: string): string | undefined {
  const v = q[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` naming a real calendar day (no 2026-02-30). */
export function validDate(s: string): boolean {
  return DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}
