import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, rmSync, writeFileSync } from 'node:fs';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `path` with `content` and mode 0600, unless it already exists (then returns false).
 *
 * The content goes to a private temporary file that is then hard-linked into place: link(2) is
 * atomic and fails when the name exists, so a concurrent reader sees either no file or the whole
 * content. A plain `wx` write opens (creates) the file before writing it, and a reader in between
 * sees an empty file. File systems without hard links (some network and container mounts) get the
 * plain `wx` write.
 */
export function createPrivateFileExclusive(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(temporary, 0o600); // the umask may have narrowed it further, never widened: make it exact
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  try {
    writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  chmodSync(path, 0o600);
  return true;
}
