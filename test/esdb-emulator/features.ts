/**
 * ServerFeatures.GetSupportedMethods, as EventStoreDB answers it
 * (EventStore.Core/Services/Transport/Grpc/ServerFeatures.cs): lower-case service and method
 * names, with the "position"/"events" features on Streams.Read. The emulator lists only the
 * methods it serves, so the client never picks a path that would fail here.
 */

import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { serverFeaturesPb } from './generated';

/** The server version the emulator claims: 23.10 is the first to send CaughtUp to subscribers. */
const EMULATED_SERVER_VERSION = '23.10.0';

const STREAMS = 'event_store.client.streams.streams';
const SERVER_FEATURES = 'event_store.client.server_features.serverfeatures';

const served: Array<[service: string, method: string, features: string[]]> = [
  [STREAMS, 'read', ['position', 'events']],
  [STREAMS, 'append', []],
  // Listing BatchAppend makes the 6.2.1 client append through it, as it does against a 21.10+ server.
  [STREAMS, 'batchappend', []],
  [SERVER_FEATURES, 'getsupportedmethods', []],
];

export function getSupportedMethods(
  _call: ServerUnaryCall<Empty, SupportedMethods>,
  callback: sendUnaryData<SupportedMethods>,
): void {
  const methods = served.map(([service, method, features]) =>
    new serverFeaturesPb.SupportedMethod()
      .setServiceName(service)
      .setMethodName(method)
      .setFeaturesList(features),
  );
  callback(
    null,
    new serverFeaturesPb.SupportedMethods()
      .setMethodsList(methods)
      .setEventStoreServerVersion(EMULATED_SERVER_VERSION),
  );
}
