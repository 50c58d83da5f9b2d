/**
 * A user-given trace must exist, be a file and hold text (not `--trace /bin/ls`): its first 4 KB
 * are read, not the whole of it, so a device such as /dev/zero is refused instead of read forever.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { fsMessage, InputError, isUserFsError } from './errors.ts';

/** `file`'s first 4 KB hold no NUL byte; an InputError naming `option` (`--trace F`, `s.yaml:2:22: workload.trace`) otherwise. */
export function checkTextFile(file: string, option: string): void {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try {
      head = Buffer.alloc(4096);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (isUserFsError(e)) throw new InputError(fsMessage(e, `${option} ${file}`));
    throw e;
  }
  if (head.includes(0)) throw new InputError(`${option} ${file}: not a text file (it contains NUL bytes); expected a CSV trace`);
}
