/**
 * The procurement history (`sandbox_events`): every step on a requisition, purchase order,
 * inventory item, schedule or budget, with who did it. Pages show it as a timeline; nothing in
 * it is ever changed afterwards. Also the sandbox's number series (REQ-, SBX-, GR-).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import type { SandboxActor } from './model.js';

export type SubjectType = 'requisition' | 'po' | 'item' | 'schedule' | 'budget';

export interface SandboxEvent {
  readonly id: string;
  readonly subjectType: SubjectType;
  readonly subjectId: string;
  readonly actor: string;
  /** e.g. created, submitted, approved, rejected, ordered, sent, changed, cancelled, received, consumed. */
  readonly kind: string;
  readonly text: string;
  readonly createdAt: string;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('base64url')}`;
}

/** Event ids sort in the order they were recorded (within a process), so two steps in one millisecond keep their order. */
let eventSeq = 0;
function eventId(): string {
  eventSeq = (eventSeq + 1) % 1_000_000;
  return `se-${Date.now().toString(36).padStart(9, '0')}-${eventSeq.toString(36).padStart(4, '0')}-${randomBytes(6).toString('base64url')}`;
}

/** Records one step; call it inside the transaction that makes the change. */
export async function recordEvent(
  db: Store,
  e: { subjectType: SubjectType; subjectId: string; actor: SandboxActor | string; kind: string; text: string; at: Date },
): Promise<void> {
  await db
    .insertInto('sandbox_events')
    .values({ id: eventId(), subject_type: e.subjectType, subject_id: e.subjectId, actor: e.actor, kind: e.kind, text: e.text, created_at: e.at.toISOString() })
    .execute();
}

/** The history of one or more subjects (e.g. a requisition and its purchase order), oldest first. */
export async function eventsFor(db: Store, subjects: readonly { type: SubjectType; id: string }[]): Promise<SandboxEvent[]> {
  if (subjects.length === 0) return [];
  const rows = await db
    .selectFrom('sandbox_events')
    .selectAll()
    .where((eb) => eb.or(subjects.map((s) => eb.and([eb('subject_type', '=', s.type), eb('subject_id', '=', s.id)]))))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    subjectType: r.subject_type as SubjectType,
    subjectId: r.subject_id,
    actor: r.actor,
    kind: r.kind,
    text: r.text,
    createdAt: r.created_at,
  }));
}

/**
 * The next number of a series, atomically on both databases (an upsert that increments), so two
 * requests at once never get the same number.
 *
 * @example await nextNumber(db, 'requisition') // 1, 2, 3 …
 */
export async function nextNumber(db: Store, series: string): Promise<number> {
  const row = await sql<{ value: number | string }>`
    insert into sandbox_counters (name, value) values (${series}, 1)
    on conflict (name) do update set value = sandbox_counters.value + 1
    returning value`.execute(db);
  return Number(row.rows[0]!.value);
}

/** `REQ-20261203-7`: a series prefix, the UTC date and the series number. */
export function datedNumber(prefix: string, at: Date, n: number): string {
  return `${prefix}-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${n}`;
}
