/**
 * Writing and reading backup files (format: file-format.ts). The writer streams: it holds one
 * record at a time (plus one of look-ahead, to know which is final), writes a temp file with mode
 * 0600 next to the target and renames it into place only when complete, so a failed backup never
 * leaves a file that looks like one. The reader checks every tag as it goes; `verifyBackupFile`
 * reads the whole file once before a restore touches the database.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  BackupFileError,
  checkHeader,
  createHeader,
  HEADER_BYTES,
  MAX_SEALED_BYTES,
  openRecord,
  RECORD_PREFIX_BYTES,
  sealRecord,
} from './file-format.js';

type Sink = { write(chunk: Buffer): Promise<void>; finish(): Promise<void>; abort(): Promise<void> };

async function fileSink(path: string): Promise<Sink> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  return {
    write: async (chunk) => {
      await handle.write(chunk);
    },
    finish: async () => {
      await handle.sync();
      await handle.close();
      await rename(temp, path);
    },
    abort: async () => {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

function stdoutSink(): Sink {
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => process.stdout.write(chunk, (error) => (error ? reject(error) : resolve())));
  return { write, finish: () => Promise.resolve(), abort: () => Promise.resolve() };
}

/** Encrypts each plaintext record into `path` (`-` = stdout). Returns the number of records. */
export async function writeBackupFile(path: string, key: Buffer, plaintexts: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<number> {
  const sink = path === '-' ? stdoutSink() : await fileSink(path);
  try {
    const header = createHeader(key);
    await sink.write(header);
    let seq = 0;
    let pending: Buffer | undefined;
    for await (const plaintext of plaintexts) {
      if (pending) await sink.write(sealRecord(key, header, seq++, false, pending));
      pending = plaintext;
    }
    if (!pending) throw new Error('a backup needs at least one record');
    await sink.write(sealRecord(key, header, seq++, true, pending));
    await sink.finish();
    return seq;
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer | undefined> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) return filled === 0 ? undefined : buffer.subarray(0, filled);
    filled += bytesRead;
  }
  return buffer;
}

const TRUNCATED = 'the backup file is truncated (it ends before its final record); nothing was restored';
const DAMAGED = (seq: number) =>
  `record ${seq} of the backup file failed authentication (the file was changed or damaged); nothing was restored`;

/** Yields each record's plaintext, in order, after checking its tag; throws BackupFileError otherwise. */
export async function* readBackupRecords(path: string, key: Buffer): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new BackupFileError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const header = await readExactly(handle, HEADER_BYTES, 0);
    if (!header || header.length < HEADER_BYTES) throw new BackupFileError('not a Portcullis backup file (too short)');
    checkHeader(header, key);
    let position = HEADER_BYTES;
    for (let seq = 0; ; seq++) {
      const prefix = await readExactly(handle, RECORD_PREFIX_BYTES, position);
      if (!prefix || prefix.length < RECORD_PREFIX_BYTES) throw new BackupFileError(TRUNCATED);
      const length = prefix.readUInt32BE(0);
      if (length > MAX_SEALED_BYTES) throw new BackupFileError(DAMAGED(seq));
      const sealed = await readExactly(handle, length, position + RECORD_PREFIX_BYTES);
      if (!sealed || sealed.length < length) throw new BackupFileError(TRUNCATED);
      position += RECORD_PREFIX_BYTES + length;
      const nonce = prefix.subarray(4);
      const middle = openRecord(key, header, seq, false, nonce, sealed);
      if (middle) {
        yield middle;
        continue;
      }
      const last = openRecord(key, header, seq, true, nonce, sealed);
      if (!last) throw new BackupFileError(DAMAGED(seq));
      const trailing = await readExactly(handle, 1, position);
      if (trailing) throw new BackupFileError('the backup file has data after its final record (it was changed); nothing was restored');
      yield last;
      return;
    }
  } finally {
    await handle.close();
  }
}

/** Reads the whole file and checks every tag; returns the number of records. Nothing is kept in memory. */
export async function verifyBackupFile(path: string, key: Buffer): Promise<number> {
  let count = 0;
  for await (const record of readBackupRecords(path, key)) {
    record.fill(0);
    count++;
  }
  return count;
}

export { BackupFileError };
