// OTLP/HTTP trace ingestion as Langfuse does it: decode (JSON or protobuf, gzip) then map to
// ingestion events. Pure: the route in src/server/routes/otel.ts does the HTTP.
export { decodeOtlpRequest } from './decode.js';
export { mapOtlpToIngestion, nanosToIso, otlpEventIds, type OtlpMappingResult } from './map.js';
export type * from './types.js';
