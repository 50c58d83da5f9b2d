/**
 * A space file's bytes to text, and yaml's syntax errors in a space file's words: a bounded read
 * (a device such as /dev/zero, which stat calls empty, is refused at the size limit instead of read
 * forever), UTF-8 checked (a Latin-1 byte is named at its line and column, not turned into U+FFFD),
 * and lone CR line breaks (old Mac files; YAML 1.2 §5.4 counts CR as a line break, yaml 2.x does not)
 * read as LF, one character for one so every line:col stays the file's.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { errnoText, InputError } from './errors.ts';

/** Space files larger than this are refused (a resource limit: they are hand-written YAML). */
export const MAX_SPACE_BYTES = 1 << 20;

/** The file's bytes, at most MAX_SPACE_BYTES; an InputError naming the file otherwise. */
export function readSpaceBytes(file: string): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (st.size > MAX_SPACE_BYTES) throw new InputError(`${file}: cannot read the space file: ${st.size} bytes, above the limit of ${MAX_SPACE_BYTES} for a YAML space`);
    const buf = Buffer.alloc(MAX_SPACE_BYTES + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > MAX_SPACE_BYTES) throw new InputError(`${file}: cannot read the space file: more than ${MAX_SPACE_BYTES} bytes (not a regular file: ${st.isCharacterDevice() ? 'a character device' : st.isFIFO() ? 'a pipe' : 'a special file'}), above the limit for a YAML space`);
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read the space file: ${errnoText(e as NodeJS.ErrnoException)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The text of a space file's bytes; an InputError at the line and column of the first byte that is not UTF-8. */
export function spaceText(buf: Buffer, file: string): string {
  if (buf.includes(0)) throw new InputError(`${file}: cannot read the space file: not a text file (it contains NUL bytes)`);
  if (isUtf8(buf)) return buf.toString('utf8');
  // the longest prefix that decodes streamed (a character cut at its end still does)
  const decoder = () => new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      decoder().decode(buf.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // that prefix may end inside the bad sequence (its lead byte, awaiting continuation bytes): step back to whole characters
  while (lo > 0 && !isUtf8(buf.subarray(0, lo))) lo--;
  const before = buf.toString('utf8', 0, lo);
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  const byte = buf[lo].toString(16).toUpperCase().padStart(2, '0');
  throw new InputError(`${file}:${line}:${col}: not UTF-8: byte 0x${byte} here is not valid UTF-8 (the file looks saved as Latin-1 or another 8-bit encoding); save it as UTF-8`);
}

/** The text yaml reads: a lone CR (not before LF) becomes LF, so line numbers are the ones an editor shows. */
export const yamlLineBreaks = (text: string) => text.replace(/\r(?!\n)/g, '\n');

/**
 * yaml's message for a syntax error, in a space file's words: a second document and an overflow
 * of the reader's stack say what to change (yaml's own texts name its API or a JavaScript error).
 */
export function syntaxMessage(e: { code: string; message: string }): string {
  if (e.code === 'MULTIPLE_DOCS') return 'a second YAML document ("---"): a space file holds one; remove the "---" line and what follows it, or move that to a file of its own';
  if (e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message)) return 'brackets or blocks nested too deeply for the YAML reader; a space file needs a few levels';
  return e.message.split('\n')[0];
}
