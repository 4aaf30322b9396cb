export interface EmbeddedServerOptions {
  host?: string;
  port?: number;
  dataDir?: string;
}

export interface EmbeddedServer {
  uri: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedServer(_options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  throw new Error('not yet written');
}
