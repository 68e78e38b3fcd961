// Lead's re-export point for the OTLP decoder/mapper (helper module files land beside it).
import type { IngestionEvent } from '../../domain/ingestion.js';
export type OtlpExportRequest = unknown;
export function decodeOtlpRequest(
  _body: Buffer,
  _contentType: string | undefined,
  _contentEncoding: string | undefined,
  _limits: { maxDecompressedBytes: number },
): { ok: true; request: OtlpExportRequest } | { ok: false; status: number; message: string } {
  return { ok: false, status: 400, message: 'OTLP not implemented yet' };
}
export function mapOtlpToIngestion(_request: OtlpExportRequest, _now: Date): { events: IngestionEvent[]; errors: string[] } {
  return { events: [], errors: [] };
}
