/** stepsFor: which approval steps a requisition needs — pure, no store. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BELOW_EVERY_THRESHOLD, checkRuleForm, ruleApplies, stepsFor, type RuleSubject } from '../../../src/sandbox/procurement/approval-rules.js';
import type { ApprovalRule } from '../../../src/sandbox/procurement/model.js';

function rule(p: Partial<ApprovalRule> & Pick<ApprovalRule, 'id'>): ApprovalRule {
  return { name: p.id, costCenter: null, minAmount: '0', maxAmount: null, currency: 'EUR', sources: [], action: 'role', approverRole: 'approver', position: 0, active: true, ...p };
}

/** The demo organisation's rules. */
const DEMO: ApprovalRule[] = [
  rule({ id: 'auto', name: 'Automatic re-orders', action: 'auto', approverRole: null, maxAmount: '1000', sources: ['reorder', 'recurring'], position: 0 }),
  rule({ id: 'manager', name: 'Manager approval from 250 EUR', minAmount: '250', position: 1 }),
  rule({ id: 'finance', name: 'Finance approval from 2500 EUR', minAmount: '2500', approverRole: 'finance', position: 2 }),
];

const req = (total: string, p: Partial<RuleSubject> = {}): RuleSubject => ({ costCenter: '1000', currency: 'EUR', source: 'punchout', total, ...p });
const roles = (total: string, p: Partial<RuleSubject> = {}) => stepsFor(DEMO, req(total, p)).map((s) => s.approverRole ?? `auto:${s.ruleName}`);

describe('stepsFor with the demo rules', () => {
  test('below every threshold: one automatic step', () => {
    assert.deepEqual(stepsFor(DEMO, req('249.99')), [{ ruleId: null, ruleName: BELOW_EVERY_THRESHOLD, approverRole: null }]);
  });
  test('the lower limit is inclusive, the upper exclusive', () => {
    assert.deepEqual(roles('250'), ['approver']);
    assert.deepEqual(roles('2499.99'), ['approver']);
    assert.deepEqual(roles('2500.00'), ['approver', 'finance']);
  });
  test('steps come in position order whatever the order of the list', () => {
    assert.deepEqual(stepsFor([...DEMO].reverse(), req('3000')).map((s) => s.ruleId), ['manager', 'finance']);
  });
  test('an automatic rule wins for its sources and range', () => {
    assert.deepEqual(stepsFor(DEMO, req('999.99', { source: 'reorder' })), [{ ruleId: 'auto', ruleName: 'Automatic re-orders', approverRole: null }]);
    assert.deepEqual(roles('999.99', { source: 'recurring' }), ['auto:Automatic re-orders']);
    assert.deepEqual(roles('1000', { source: 'reorder' }), ['approver'], 'at the upper limit the automatic rule no longer applies');
    assert.deepEqual(roles('500', { source: 'punchout' }), ['approver']);
  });
  test('inactive rules and other cost centers do not apply', () => {
    const rules = [rule({ id: 'it', costCenter: '2000', minAmount: '100' }), rule({ id: 'off', minAmount: '0', approverRole: 'finance', active: false })];
    assert.deepEqual(stepsFor(rules, req('500', { costCenter: '2000' })).map((s) => s.ruleId), ['it']);
    assert.deepEqual(stepsFor(rules, req('500')).map((s) => s.ruleName), [BELOW_EVERY_THRESHOLD]);
  });
  test('a rule in another currency does not apply; a currency no rule is written in needs an approver', () => {
    assert.deepEqual(roles('10', { currency: 'USD' }), ['approver']);
    assert.match(stepsFor(DEMO, req('10', { currency: 'USD' }))[0]!.ruleName, /no rule is written in USD/);
    const mixed = [...DEMO, rule({ id: 'usd', currency: 'USD', minAmount: '5000' })];
    assert.deepEqual(stepsFor(mixed, req('10', { currency: 'USD' })).map((s) => s.ruleName), [BELOW_EVERY_THRESHOLD]);
    assert.deepEqual(stepsFor([], req('1000000', { currency: 'USD' })).map((s) => s.ruleName), [BELOW_EVERY_THRESHOLD], 'no rules at all: nothing to approve');
  });
  test('two rules for the same role make one step', () => {
    const rules = [rule({ id: 'a', minAmount: '100', position: 1 }), rule({ id: 'b', minAmount: '200', position: 2 })];
    assert.deepEqual(stepsFor(rules, req('300')).map((s) => s.ruleId), ['a']);
  });
  test('ruleApplies compares decimals, not text', () => {
    assert.equal(ruleApplies(rule({ id: 'x', minAmount: '250' }), req('1000')), true);
    assert.equal(ruleApplies(rule({ id: 'x', minAmount: '250' }), req('99')), false);
  });
});

describe('checkRuleForm', () => {
  const ok = { name: 'R', costCenter: '', minAmount: '250', maxAmount: '', currency: 'EUR', sources: [], action: 'role', approverRole: 'approver', position: '3' };
  test('a good form', () => {
    const { problems, rule: r } = checkRuleForm(ok, ['1000']);
    assert.deepEqual(problems, {});
    assert.equal(r!.position, 3);
    assert.equal(r!.costCenter, null);
  });
  test('each problem by its field', () => {
    const { problems } = checkRuleForm({ ...ok, name: '', costCenter: '9', minAmount: 'x', currency: 'euro', action: 'role', approverRole: '', position: '1.5', sources: ['mail'] }, ['1000']);
    assert.deepEqual(Object.keys(problems).sort(), ['approverRole', 'costCenter', 'currency', 'minAmount', 'name', 'position', 'sources']);
    assert.match(checkRuleForm({ ...ok, maxAmount: '100' }, []).problems.maxAmount!, /above the lower/);
  });
});
