import { z } from 'zod';

import { loadDataFile } from '../../../lib/data-file';
import { Brand } from '../../customers/brand';
// Imported rather than read from disk so the compiled gateway carries its topics with it.
import shippedTopics from '../push-topics.json';

const TOPIC_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;

const topicListSchema = z
  .array(
    z.object({
      topic: z.string().regex(TOPIC_PATTERN, 'must be 1-32 capitals, digits or _'),
      description: z.string().min(1),
    }),
  )
  .refine(
    (topics) => new Set(topics.map(({ topic }) => topic)).size === topics.length,
    'topics must be unique within a brand',
  );

const topicFileSchema = z.strictObject({
  [Brand.JOHN_LEWIS]: topicListSchema,
  [Brand.WAITROSE]: topicListSchema,
  [Brand.JOHN_LEWIS_FINANCE]: topicListSchema,
});

export interface PushTopic {
  topic: string;
  description: string;
}

/** Each brand's app topics, in the file's order (the order the API lists them in). */
export type PushTopics = Readonly<Record<Brand, readonly PushTopic[]>>;

export class PushTopicsError extends Error {
  override name = 'PushTopicsError';
}

/**
 * The push topics in force: the shipped `push-topics.json`, or the file PUSH_TOPICS_FILE names.
 * Checked once at start-up; a bad file stops the gateway.
 */
export function loadPushTopics(file?: string): PushTopics {
  return loadDataFile({
    file,
    shipped: shippedTopics,
    shippedName: 'the shipped push-topics.json',
    schema: topicFileSchema,
    fail: (message) => new PushTopicsError(message),
  });
}
