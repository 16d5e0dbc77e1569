/** The `koppel` command line as a user runs it: help on every command, clear errors, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../helpers/cxml.js';

const BIN = fileURLToPath(new URL('../../bin/koppel.mjs', import.meta.url));
const DTD_DIR = fileURLToPath(new URL('../../../shared/dtd/', import.meta.url));

function koppel(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, KOPPEL_DTD_DIR: DTD_DIR }, timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('koppel --help lists the commands', () => {
  const r = koppel('--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /koppel serve/);
  assert.match(r.out, /koppel cxml validate FILE/);
});

test('every command has --help', () => {
  for (const args of [['serve', '--help'], ['cxml', '--help'], ['cxml', 'validate', '--help']]) {
    const r = koppel(...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /Usage:/, args.join(' '));
  }
});

test('an unknown command or option is a usage error (exit 2) that says what to do', () => {
  const r = koppel('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command "frobnicate".*--help/);
  const s = koppel('serve', '--port', '1');
  assert.equal(s.code, 2);
  assert.match(s.err, /environment/);
  assert.equal(koppel('cxml', 'validate').code, 2);
  assert.equal(koppel('cxml', 'validate', 'a.xml', '--bogus').code, 2);
});

test('cxml validate: a valid real document exits 0 and names its payload and DTD', () => {
  const r = koppel('cxml', 'validate', fileURLToPath(fixturePath('19')));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /OrderRequest \(payloadID /);
  assert.match(r.out, /1\.2\.071\/cXML\.dtd: valid/);
});

test('cxml validate: a DTD-invalid document exits 1 with the validator’s errors', () => {
  const r = koppel('cxml', 'validate', fileURLToPath(fixturePath('02')));
  assert.equal(r.code, 1);
  assert.match(r.out, /INVALID/);
  assert.match(r.out, /error:/);
});

test('cxml validate: a missing DTD folder names both the variable and --dtd-dir', () => {
  const r = koppel('cxml', 'validate', '--dtd-dir', join(tmpdir(), 'koppel-no-such-dtd-dir'), fileURLToPath(fixturePath('19')));
  assert.equal(r.code, 1);
  assert.match(r.out, /DTD directory not found: .*koppel-no-such-dtd-dir \(set KOPPEL_DTD_DIR or pass --dtd-dir FOLDER\)/);
});

test('cxml validate --json gives a machine-readable report; Fulfill documents use Fulfill.dtd', () => {
  const r = koppel('cxml', 'validate', '--json', fileURLToPath(fixturePath('26')));
  assert.equal(r.code, 0, r.out + r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.payload, 'ConfirmationRequest');
  assert.equal(report.valid, true);
  assert.match(report.dtd, /Fulfill\.dtd$/);
});

test('cxml validate: a hostile or missing file is refused clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'koppel-cli-'));
  const evil = join(dir, 'evil.xml');
  writeFileSync(evil, '<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><cXML>&x;</cXML>');
  const r = koppel('cxml', 'validate', evil);
  assert.equal(r.code, 1);
  assert.match(r.out, /406/);
  assert.ok(!r.out.includes('root:'));
  const missing = koppel('cxml', 'validate', join(dir, 'nope.xml'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read/);
});
