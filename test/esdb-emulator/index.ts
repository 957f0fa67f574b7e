/**
 * A test-only emulator of EventStoreDB's gRPC protocol, so CI can run the real
 * @eventstore/db-client and the EventStoreDB adapter against something that speaks the
 * wire format and keeps EventStoreDB's rules. Production uses a real EventStoreDB; see README.md.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { appendHandler, batchAppendHandler } from './append';
import { getSupportedMethods } from './features';
import { serverFeaturesGrpc, streamsGrpc } from './generated';
import { EventLog } from './log';
import { readHandler } from './read';

export interface EsdbEmulator {
  /** `esdb://127.0.0.1:PORT?tls=false`: a single insecure node, so the client does no gossip discovery. */
  connectionString: string;
  close(): Promise<void>;
}

export async function startEsdbEmulator(options: { port?: number } = {}): Promise<EsdbEmulator> {
  const log = new EventLog();
  seedSystemEvents(log);

  const server = new Server();
  server.addService(streamsGrpc.StreamsService, {
    read: readHandler(log),
    append: appendHandler(log),
    batchAppend: batchAppendHandler(log),
  });
  server.addService(serverFeaturesGrpc.ServerFeaturesService, { getSupportedMethods });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `127.0.0.1:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (error, boundPort) => (error ? reject(error) : resolve(boundPort)),
    );
  });

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    close: () =>
      new Promise<void>((resolve) => {
        // Open subscriptions never end by themselves, so a graceful shutdown would wait forever.
        server.forceShutdown();
        resolve();
      }),
  };
}

// A fresh node writes its epoch as an event to the `$epoch-information` system stream before any
// user write (SystemStreams.EpochInformationStream, SystemEventTypes.EpochInformation), so `$all`
// never starts with a user event and readers must skip system events.
function seedSystemEvents(log: EventLog): void {
  const epoch = {
    epochNumber: 0,
    epochPosition: 0,
    epochId: randomUUID(),
    leaderInstanceId: randomUUID(),
    timeStamp: new Date().toISOString(),
  };
  log.write('$epoch-information', 'no_stream', [
    {
      id: randomUUID(),
      type: '$epoch-information',
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(epoch)),
      metadata: new Uint8Array(),
    },
  ]);
}
