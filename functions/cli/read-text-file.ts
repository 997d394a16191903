// Reads a file a command names; a file that cannot be read, is not a file or is too large is invalid input naming
// the option. Its own module so the command line reads and checks its input before it loads the local runtime.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InvalidInputError } from '../domain/errors.js';

/** A file's text; refused (naming the flag) when it cannot be read, is not a file, or is over `maxBytes`. */
export function readTextFile(path: string, field: string, maxBytes = 64 * 1024 * 1024): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new InvalidInputError(field, `${path} is not a file`);
    // one byte more than allowed is enough to say the file is too large, without reading it all
    const size = Math.min(stats.size, maxBytes + 1);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read > maxBytes) throw new InvalidInputError(field, `${path} is too large: at most ${Math.round(maxBytes / 1024)} KB`);
    return buffer.subarray(0, read).toString('utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(field, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
