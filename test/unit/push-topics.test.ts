import { TEST_JWT_SECRET, TEST_UNSUBSCRIBE_SECRET } from '../support/tokens';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/gateway';
import { loadPushTopics, PushTopicsError } from '../../src/modules/preferences/lib/push-topics';
import { startTestGateway } from '../support/gateway';
import { MY_PREFERENCES, customerToken, SET_PREFERENCES } from '../preferences/operations';
import { seed } from '../support/builders';
import { testDatabaseUri } from '../support/database';

function topicFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'topics-')), 'push-topics.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const ONE_TOPIC_EACH = {
  JOHN_LEWIS: [{ topic: 'OFFERS', description: 'Offers' }],
  WAITROSE: [{ topic: 'FLASH_SALES', description: 'Flash sales' }],
  JOHN_LEWIS_FINANCE: [],
};

describe('push topics as data', () => {
  it("ships each brand's app topics", () => {
    const topics = loadPushTopics();
    expect(topics.WAITROSE.map(({ topic }) => topic)).toEqual([
      'OFFERS',
      'RECIPES',
      'ORDER_UPDATES',
    ]);
    expect(Object.keys(topics).sort()).toEqual(['JOHN_LEWIS', 'JOHN_LEWIS_FINANCE', 'WAITROSE']);
  });

  it('refuses a file that is not valid, naming the problem', () => {
    expect(() => loadPushTopics(topicFile('{ nope'))).toThrow(PushTopicsError);
    expect(() => loadPushTopics(topicFile({ ...ONE_TOPIC_EACH, JOHN_LEWIS: undefined }))).toThrow(
      /JOHN_LEWIS/,
    );
    const twice = [
      { topic: 'OFFERS', description: 'a' },
      { topic: 'OFFERS', description: 'b' },
    ];
    expect(() => loadPushTopics(topicFile({ ...ONE_TOPIC_EACH, WAITROSE: twice }))).toThrow(
      /unique/,
    );
    expect(() =>
      loadPushTopics(
        topicFile({ ...ONE_TOPIC_EACH, WAITROSE: [{ topic: 'bad topic', description: 'x' }] }),
      ),
    ).toThrow(/WAITROSE\.0\.topic/);
  });

  it('stops start-up on a bad PUSH_TOPICS_FILE', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: testDatabaseUri(),
      PORT: '0',
      LOG_LEVEL: 'silent',
      PUSH_TOPICS_FILE: topicFile({ WAITROSE: [] }),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    });
    await expect(createGateway(config)).rejects.toThrow(PushTopicsError);
  });

  it('serves the topics of the file PUSH_TOPICS_FILE names', async () => {
    const test = await startTestGateway('push-topics', {
      env: { PUSH_TOPICS_FILE: topicFile(ONE_TOPIC_EACH) },
    });
    try {
      const { id } = await seed(test.client).customer().withWaitroseAccount().create();
      const token = await customerToken(id);
      const data = await test.client.data(MY_PREFERENCES, { brand: 'WAITROSE' }, { token });
      expect(data.me.preferences[0].push).toEqual([
        { topic: 'FLASH_SALES', enabled: false, state: 'NOT_ASKED' },
      ]);
      await test.client.error(
        SET_PREFERENCES,
        {
          input: { brand: 'WAITROSE', push: [{ topic: 'RECIPES', enabled: true }], source: 'APP' },
        },
        { token },
        { code: 'BAD_USER_INPUT', field: 'input.push.0.topic' },
      );
    } finally {
      await test.stop();
    }
  });
});
