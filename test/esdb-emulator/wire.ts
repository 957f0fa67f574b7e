/** Conversions between the emulator's log and the protobuf messages of EventStoreDB's gRPC API. */
import type { UUID } from '@eventstore/db-client/generated/shared_pb';
import type { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { sharedPb, streamsPb } from './generated';
import type { StoredEvent } from './log';

export type UuidFormat = 'string' | 'structured';

export function streamNameOf(identifier: { getStreamName_asU8(): Uint8Array } | undefined): string {
  if (!identifier) throw new Error('stream_identifier is required');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string) {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

/** Uuid.FromDto (EventStore.Core/Services/Transport/Grpc/Uuid.cs): a string, or two big-endian int64 halves. */
export function parseUuid(uuid: UUID | undefined): string {
  if (!uuid) throw new Error('event id is required');
  if (uuid.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured();
  if (!structured) throw new Error('event id is empty');
  const bytes = Buffer.alloc(16);
  bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
  bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toUuid(id: string, format: UuidFormat): UUID {
  if (format === 'string') return new sharedPb.UUID().setString(id);
  const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
  const structured = new sharedPb.UUID.Structured()
    .setMostSignificantBits(bytes.readBigInt64BE(0).toString())
    .setLeastSignificantBits(bytes.readBigInt64BE(8).toString());
  return new sharedPb.UUID().setStructured(structured);
}

/** Streams.Read's ConvertToReadEvent/ConvertToRecordedEvent: metadata carries type, content-type and created. */
export function readEventResponse(event: StoredEvent, uuidFormat: UuidFormat): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(event.id, uuidFormat))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.position.toString())
    .setPreparePosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', event.contentType)
    .set('created', event.created.toString());
  const readEvent = new streamsPb.ReadResp.ReadEvent()
    .setEvent(recorded)
    .setCommitPosition(event.position.toString());
  return new streamsPb.ReadResp().setEvent(readEvent);
}
