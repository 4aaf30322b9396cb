export {
  type ConnectionCloseReason,
  type ConnectionLimits,
  type EmbeddedServer,
  type EmbeddedServerEvents,
  type EmbeddedServerOptions,
  startEmbeddedServer,
} from './server';
export { type CursorLimits } from './cursors';
export { type JournalFileSystem } from './journal';
