/**
 * DTD assertion for tests: every document Koppel emits must validate against the official DTD
 * of its family (shared/dtd, or KOPPEL_DTD_DIR), offline.
 */
import assert from 'node:assert/strict';
import { validateAgainstDtd, type DtdFamily, type DtdValidation } from '../../src/cxml-dtd/validate.js';

/**
 * Fails with libxml2's messages when `xml` is not valid against `<version>/<family>.dtd`
 * (default 1.2.071; a version without that family's file falls back to the newest one that has
 * it — the result's `dtd` says which file was used). Returns the validation result.
 */
export function assertDtdValid(xml: string, family: DtdFamily, version?: string): DtdValidation {
  const result = validateAgainstDtd(xml, family, version === undefined ? {} : { version });
  assert.ok(result.valid, `document is not valid against ${result.dtd}:\n  ${result.errors.join('\n  ')}\n--- document ---\n${xml}`);
  return result;
}
