/**
 * A file's stat as one string, for caches of what a file holds (a checkpoint's or a trace's
 * content hash, a parsed trace): size, modification and change times in ns, inode. Equal stamps:
 * the cached content still holds; any other: read the file again.
 */
import { statSync } from 'node:fs';

/** The stamp of `file`; undefined when it does not exist (other stat errors throw). */
export function fileStamp(file: string): string | undefined {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}` : undefined;
}
