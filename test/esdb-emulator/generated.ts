/**
 * The gRPC service definitions and protobuf message classes that
 * @eventstore/db-client ships in its `generated/` folder. Loading them (instead of
 * copying EventStoreDB's .proto files) keeps the emulator on exactly the wire
 * format the client under test speaks.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const generated = (name: string): unknown => require(`@eventstore/db-client/generated/${name}`);

export const streamsGrpc = generated(
  'streams_grpc_pb.js',
) as typeof import('@eventstore/db-client/generated/streams_grpc_pb');
export const streamsPb = generated(
  'streams_pb.js',
) as typeof import('@eventstore/db-client/generated/streams_pb');
export const sharedPb = generated(
  'shared_pb.js',
) as typeof import('@eventstore/db-client/generated/shared_pb');
export const statusPb = generated(
  'status_pb.js',
) as typeof import('@eventstore/db-client/generated/status_pb');
export const serverFeaturesGrpc = generated(
  'serverfeatures_grpc_pb.js',
) as typeof import('@eventstore/db-client/generated/serverfeatures_grpc_pb');
export const serverFeaturesPb = generated(
  'serverfeatures_pb.js',
) as typeof import('@eventstore/db-client/generated/serverfeatures_pb');
export const anyPb =
  require('google-protobuf/google/protobuf/any_pb.js') as typeof import('google-protobuf/google/protobuf/any_pb');
export const emptyPb =
  require('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb');
