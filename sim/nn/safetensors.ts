/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors format):
 *   8-byte little-endian header length N | N bytes of JSON header | raw tensor bytes.
 * The reader validates everything and throws `SafetensorsError` with a clear message for bad
 * headers, truncated files, overlapping / out-of-range offsets, shape/size mismatches and
 * unsupported dtypes. F32, F16, BF16 and F64 are converted to Float32Array; integer dtypes are
 * rejected for weights (they are not weights of any model we load).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export class SafetensorsError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'SafetensorsError';
  }
}

export interface NamedTensor { shape: number[]; data: Float32Array }
export type TensorMap = Map<string, NamedTensor>;

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const MAX_HEADER = 100 * 1024 * 1024;

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Parse a safetensors file's bytes into float32 tensors (`name` labels the errors). */
export function parseSafetensors(buf: Uint8Array, name = 'safetensors'): TensorMap {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { header, dataStart } = readHeader(buf, dv, name);
  const dataLen = buf.byteLength - dataStart;
  const out: TensorMap = new Map();
  const spans: [number, number, string][] = [];
  for (const [key, info] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const { dtype, shape, b0, b1, count } = tensorEntry(info, key, dataLen, name);
    spans.push([b0, b1, key]);
    const data = decodeFloats(dv, dataStart + b0, dtype, count);
    for (const x of data) if (!Number.isFinite(x)) throw new SafetensorsError(`${name}: tensor '${key}' contains non-finite values`);
    out.set(key, { shape, data });
  }
  checkOverlaps(spans, name);
  return out;
}

/** The 8-byte length and the JSON header object; `dataStart` is the offset of the tensor bytes. */
function readHeader(buf: Uint8Array, dv: DataView, name: string): { header: Record<string, unknown>; dataStart: number } {
  if (buf.byteLength < 8) throw new SafetensorsError(`${name}: file too short (${buf.byteLength} bytes): no 8-byte header length`);
  const nBig = dv.getBigUint64(0, true);
  if (nBig > BigInt(MAX_HEADER)) throw new SafetensorsError(`${name}: header length ${nBig} is implausible (> ${MAX_HEADER}); not a safetensors file?`);
  const n = Number(nBig);
  if (8 + n > buf.byteLength) throw new SafetensorsError(`${name}: truncated: header says ${n} bytes of JSON but the file has only ${buf.byteLength - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(`${name}: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(`${name}: header must be a JSON object`);
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

/** One header entry checked: a float dtype, a valid shape and offsets inside the data that fit the shape. */
function tensorEntry(info: unknown, key: string, dataLen: number, name: string): { dtype: string; shape: number[]; b0: number; b1: number; count: number } {
  const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof t !== 'object' || t === null) throw new SafetensorsError(`${name}: entry '${key}' is not an object`);
  if (typeof t.dtype !== 'string' || !(t.dtype in DTYPE_BYTES)) throw new SafetensorsError(`${name}: tensor '${key}' has unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`${name}: tensor '${key}' has an invalid shape ${JSON.stringify(t.shape)}`);
  const off = t.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
    throw new SafetensorsError(`${name}: tensor '${key}' has invalid data_offsets ${JSON.stringify(off)}`);
  }
  const [b0, b1] = off as [number, number];
  const shape = t.shape as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  const width = DTYPE_BYTES[t.dtype];
  if (b1 > dataLen) throw new SafetensorsError(`${name}: truncated: tensor '${key}' ends at byte ${b1} of the data section but only ${dataLen} bytes are present`);
  if (b1 - b0 !== count * width) throw new SafetensorsError(`${name}: tensor '${key}' (${t.dtype} ${JSON.stringify(shape)}) needs ${count * width} bytes, offsets give ${b1 - b0}`);
  if (!['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) throw new SafetensorsError(`${name}: tensor '${key}' has dtype ${t.dtype}; only float weights (F32, F16, BF16, F64) are supported`);
  return { dtype: t.dtype, shape, b0, b1, count };
}

/** `count` little-endian floats of `dtype` (F32, F64, F16 or BF16) from byte `base`, as float32. */
function decodeFloats(dv: DataView, base: number, dtype: string, count: number): Float32Array {
  const data = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) data[i] = dv.getFloat32(base + 4 * i, true);
  } else if (dtype === 'F64') {
    for (let i = 0; i < count; i++) data[i] = dv.getFloat64(base + 8 * i, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) data[i] = f16ToF32(dv.getUint16(base + 2 * i, true));
  } else {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      tmp.setUint32(0, dv.getUint16(base + 2 * i, true) << 16, true);
      data[i] = tmp.getFloat32(0, true);
    }
  }
  return data;
}

/** Throws when two tensors' byte ranges [b0, b1) overlap (sorts `spans` by start). */
function checkOverlaps(spans: [number, number, string][], name: string): void {
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw new SafetensorsError(`${name}: tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
  }
}

export function readSafetensors(path: string): TensorMap {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** Serialise as F32, keys sorted (deterministic bytes), optional string metadata. */
export function serializeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const keys = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const k of keys) {
    const t = tensors.get(k)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new SafetensorsError(`tensor '${k}': shape ${JSON.stringify(t.shape)} does not match ${t.data.length} values`);
    header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * count] };
    off += 4 * count;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const k of keys) {
    const d = tensors.get(k)!.data;
    for (let i = 0; i < d.length; i++, p += 4) dv.setFloat32(p, d[i], true);
  }
  return out;
}

export function writeSafetensors(path: string, tensors: TensorMap, metadata?: Record<string, string>): void {
  writeFileSync(path, serializeSafetensors(tensors, metadata));
}
