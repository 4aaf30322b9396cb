import { describeSoak, runSoak } from '../../bench/soak';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { tokenFor } from '../support/tokens';

/** The short run of `npm run soak`: the same callers and checks, for a few seconds. */
describe('a short soak', () => {
  let test: TestGateway;

  beforeAll(async () => {
    test = await startTestGateway('soak');
  });
  afterAll(() => test.stop());

  it('keeps every acknowledged change, once, in the store, the trails and the feed', async () => {
    const report = await runSoak({
      url: test.gateway.url,
      sign: (claims) => tokenFor(claims),
      durationMs: 3000,
      callers: 6,
    });
    if (report.problems.length > 0) throw new Error(describeSoak(report));
    expect(report.acknowledgedChanges).toBeGreaterThan(0);
    expect(report.feedEvents).toBe(report.acknowledgedChanges);
  });
});
