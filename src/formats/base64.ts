/**
 * Base64 for BYTES columns, as Flink's formats write it (standard alphabet, padded). Decoding is strict: Node's own
 * decoder silently skips invalid characters, which would turn a corrupt value into wrong bytes instead of an error.
 */
import { Buffer } from 'node:buffer';

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes padded standard base64, or returns undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
