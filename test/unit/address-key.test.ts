import { addressKey, callerOf } from '../../src/http/rate-limit';
import { Brand } from '../../src/modules/customers/brand';

describe('who a request is counted against', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('address %s counts as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('counts a caller with a token by role, brand and subject, and one without by address', () => {
    expect(callerOf({ role: 'customer', subject: 'c1' }, '10.0.0.1')).toEqual({
      key: 'customer:c1',
      kind: 'customer',
    });
    expect(callerOf({ role: 'brand', subject: 'b', brand: Brand.WAITROSE }, '10.0.0.1')).toEqual({
      key: 'brand:WAITROSE:b',
      kind: 'brand',
    });
    expect(callerOf({ role: 'anonymous' }, '10.0.0.1')).toEqual({
      key: 'address:10.0.0.1',
      kind: 'anonymous',
    });
  });
});
