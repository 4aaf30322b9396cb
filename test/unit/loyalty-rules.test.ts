import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MembershipScheme } from '../../src/modules/customers/brand';
import { evaluateLoyalty } from '../../src/modules/loyalty/lib/evaluate';
import { loadLoyaltyRules, LoyaltyRulesError } from '../../src/modules/loyalty/lib/rules';

function ruleFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loyalty rules as data', () => {
  it('ships exactly the three rules of the product', () => {
    expect(loadLoyaltyRules().map((rule) => rule.code)).toEqual([
      'MEMBER_HOME_10',
      'MULTI_PRODUCT_5',
      'LOYAL_MEMBER_CAR_5',
    ]);
  });

  it('refuses a rule file that is not valid, naming the problem', () => {
    expect(() => loadLoyaltyRules(ruleFile('{ nope'))).toThrow(LoyaltyRulesError);
    expect(() => loadLoyaltyRules(ruleFile({ rules: [{ code: 'X', percentage: 500 }] }))).toThrow(
      /rules\.0\.percentage/,
    );
  });

  it('skips an offer once it has ended', () => {
    const [rule] = loadLoyaltyRules();
    const ended = { ...rule, validUntil: new Date('2025-01-01T00:00:00Z') };
    const evidence = {
      memberships: [{ scheme: MembershipScheme.MY_WAITROSE, since: new Date('2020-01-01') }],
      purchases: [],
    };
    expect(evaluateLoyalty([ended], evidence, new Date('2024-12-31T23:59:59Z'))).toHaveLength(1);
    expect(evaluateLoyalty([ended], evidence, new Date('2025-01-01T00:00:01Z'))).toHaveLength(0);
  });

  it('counts a 29 February membership as three years old on 1 March', () => {
    const rules = loadLoyaltyRules().filter((rule) => rule.code === 'LOYAL_MEMBER_CAR_5');
    const evidence = {
      memberships: [{ scheme: MembershipScheme.MY_JOHN_LEWIS, since: new Date('2020-02-29') }],
      purchases: [],
    };
    expect(evaluateLoyalty(rules, evidence, new Date('2023-02-28T23:59:59Z'))).toHaveLength(0);
    expect(evaluateLoyalty(rules, evidence, new Date('2023-03-01T00:00:00Z'))).toHaveLength(1);
  });
});
