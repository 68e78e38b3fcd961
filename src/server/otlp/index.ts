export { decodeOtlpRequest, type OtlpExportRequest, type OtlpSpan, type DecodeResult } from './decode.js';
export { mapOtlpToIngestion } from './map.js';
