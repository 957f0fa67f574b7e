/**
 * Streams.Append and Streams.BatchAppend, answered as EventStoreDB 23.10 answers them
 * (EventStore.Core/Services/Transport/Grpc/Streams.Append.cs and Streams.BatchAppend.cs).
 */

import type { Code } from '@eventstore/db-client/generated/code_pb';
import type { UUID } from '@eventstore/db-client/generated/shared_pb';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  type ServerDuplexStream,
  type ServerReadableStream,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { anyPb, emptyPb, sharedPb, statusPb, streamsPb } from './generated';
import { type EventLog, type ExpectedVersion, NO_STREAM, type ProposedEvent } from './log';
import { parseUuid, streamIdentifier, streamNameOf } from './wire';

type ProposedMessage = AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage;

// Streams.Append: "type" and "content-type" are required metadata; anything else is a bad request.
function toProposedEvent(message: ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (type === undefined) throw new Error('Required metadata property "type" is missing');
  if (contentType === undefined) {
    throw new Error('Required metadata property "content-type" is missing');
  }
  return {
    id: parseUuid(message.getId()),
    type,
    contentType,
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

export function appendHandler(log: EventLog) {
  return (
    call: ServerReadableStream<AppendReq, AppendResp>,
    callback: sendUnaryData<AppendResp>,
  ) => {
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      const details = error instanceof Error ? error.message : String(error);
      callback({ code: status.INVALID_ARGUMENT, details });
    };
    call.on('data', (request: AppendReq) => {
      if (failed) return;
      try {
        // Streams.Append: the first message carries the options, every later one a proposed event.
        if (!options) {
          options = request.getOptions();
          if (!options) throw new Error('The first append message must carry options');
          return;
        }
        const message = request.getProposedMessage();
        if (!message) throw new Error('Expected a proposed message');
        events.push(toProposedEvent(message));
      } catch (error) {
        fail(error);
      }
    });
    call.on('error', () => {
      failed = true;
    });
    call.on('end', () => {
      if (failed) return;
      if (!options) return fail(new Error('No append options received'));
      try {
        const stream = streamNameOf(options.getStreamIdentifier());
        const expected = appendExpectation(options);
        callback(null, appendResponse(log.write(stream, expected, events), options));
      } catch (error) {
        fail(error);
      }
    });
  };
}

function appendExpectation(options: AppendReq.Options): ExpectedVersion {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasAny()) return 'any';
  throw new Error('expected_stream_revision is required');
}

function appendResponse(result: ReturnType<EventLog['write']>, options: AppendReq.Options) {
  const response = new streamsPb.AppendResp();
  if (result.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    if (result.lastRevision === NO_STREAM) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(result.lastRevision.toString());
    if (result.position === undefined) success.setNoPosition(new sharedPb.Empty());
    else {
      success.setPosition(
        new streamsPb.AppendResp.Position()
          .setCommitPosition(result.position.toString())
          .setPreparePosition(result.position.toString()),
      );
    }
    return response.setSuccess(success);
  }
  // Streams.Append: a wrong expected version is an AppendResp message (not a gRPC error), with the
  // expected revision as the client sent it and the current one, in both the current and the 20.6 fields.
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  if (options.hasAny()) wrong.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty());
  else if (options.hasStreamExists()) {
    wrong.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty());
  } else if (options.hasNoStream()) {
    // The 20.6 field gets ulong.MaxValue, which a JS number cannot carry exactly; the 6.2.1 client reads only the new field.
    wrong.setExpectedNoStream(new sharedPb.Empty());
  } else {
    wrong
      .setExpectedRevision(options.getRevision())
      .setExpectedRevision2060(Number(options.getRevision()));
  }
  if (result.current === NO_STREAM) {
    wrong.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty());
  } else {
    wrong
      .setCurrentRevision(result.current.toString())
      .setCurrentRevision2060(Number(result.current));
  }
  return response.setWrongExpectedVersion(wrong);
}

interface PendingBatch {
  stream: string;
  expected: ExpectedVersion;
  events: ProposedEvent[];
}

export function batchAppendHandler(log: EventLog) {
  return (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
    // Streams.BatchAppend: requests are grouped by correlation id; the one marked final triggers the write.
    const pending = new Map<string, PendingBatch>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      let stream: string | undefined;
      try {
        const key = parseUuid(correlation);
        const options = request.getOptions();
        if (options) {
          stream = streamNameOf(options.getStreamIdentifier());
          if (!pending.has(key)) {
            pending.set(key, { stream, expected: batchExpectation(options), events: [] });
          }
        }
        const batch = pending.get(key);
        if (!batch) return;
        stream = batch.stream;
        batch.events.push(...request.getProposedMessagesList().map(toProposedEvent));
        if (!request.getIsFinal()) return;
        pending.delete(key);
        const result = log.write(batch.stream, batch.expected, batch.events);
        call.write(batchResponse(correlation, batch, result));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        call.write(
          new streamsPb.BatchAppendResp()
            .setCorrelationId(correlation)
            .setStreamIdentifier(streamIdentifier(stream ?? ''))
            .setError(badRequest(message)),
        );
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => pending.clear());
  };
}

function batchExpectation(options: BatchAppendReq.Options): ExpectedVersion {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasAny()) return 'any';
  throw new Error('expected_stream_position is required');
}

function batchResponse(
  correlation: UUID | undefined,
  batch: PendingBatch,
  result: ReturnType<EventLog['write']>,
): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp()
    .setCorrelationId(correlation)
    .setStreamIdentifier(streamIdentifier(batch.stream));
  if (result.kind === 'success') {
    // BatchAppendResp.Success.Completed (Messages/BatchAppendResp.cs).
    const success = new streamsPb.BatchAppendResp.Success();
    if (result.lastRevision === NO_STREAM) success.setNoStream(new emptyPb.Empty());
    else success.setCurrentRevision(result.lastRevision.toString());
    if (result.position === undefined) success.setNoPosition(new emptyPb.Empty());
    else {
      success.setPosition(
        new sharedPb.AllStreamPosition()
          .setCommitPosition(result.position.toString())
          .setPreparePosition(result.position.toString()),
      );
    }
    return response.setSuccess(success);
  }
  // Google.Rpc.Status.WrongExpectedVersion (Status.cs) packing EventStore.Client.WrongExpectedVersion.Create.
  const details = new sharedPb.WrongExpectedVersion();
  if (result.current === NO_STREAM) details.setCurrentNoStream(new emptyPb.Empty());
  else details.setCurrentStreamRevision(result.current.toString());
  if (batch.expected === 'any') details.setExpectedAny(new emptyPb.Empty());
  else if (batch.expected === 'no_stream') details.setExpectedNoStream(new emptyPb.Empty());
  else if (batch.expected === 'stream_exists') details.setExpectedStreamExists(new emptyPb.Empty());
  else details.setExpectedStreamPosition(batch.expected.toString());
  return response.setError(
    rpcStatus(status.ALREADY_EXISTS, 'WrongExpectedVersion', details, 'WrongExpectedVersion'),
  );
}

// Google.Rpc.Status.BadRequest (Status.cs).
function badRequest(message: string) {
  return rpcStatus(
    status.INVALID_ARGUMENT,
    'BadRequest',
    new sharedPb.BadRequest().setMessage(message),
    'BadRequest',
  );
}

function rpcStatus(
  code: status,
  message: string,
  details: { serializeBinary(): Uint8Array },
  typeName: string,
) {
  const packed = new anyPb.Any();
  packed.pack(details.serializeBinary(), `event_store.client.${typeName}`);
  return new statusPb.Status()
    .setCode(code as number as Code)
    .setMessage(message)
    .setDetails(packed);
}
