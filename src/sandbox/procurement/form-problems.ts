/**
 * A form that came back with problems: one message per field, so the page can put each next to
 * its input and keep what was typed. Thrown by the procurement functions, caught by the routes.
 */
import { ProcurementError } from './model.js';

export type FieldProblems = Readonly<Record<string, string>>;

export class InvalidForm extends ProcurementError {
  constructor(readonly problems: FieldProblems) {
    const entries = Object.entries(problems);
    super(entries.map(([, m]) => m).join(' ') || 'The form has problems.', entries[0]?.[0], 422);
    this.name = 'InvalidForm';
  }
}

/** Throws InvalidForm when there is any problem. */
export function assertNoProblems(problems: Record<string, string>): void {
  if (Object.keys(problems).length > 0) throw new InvalidForm(problems);
}
