/**
 * A zip archive written as a stream, entry after entry, to any writable (an HTTP response, a file).
 *
 * Library: yazl 3 rather than archiver 8. yazl does one thing — write a zip to a stream — with one
 * dependency (buffer-crc32: 2 packages installed) and plain Node streams, which suits Node 20 (it
 * states no engine limit and uses nothing newer). archiver 8 brings tar, globbing, readdir and a
 * second streams implementation (readable-stream 4, async, lazystream…): 45 packages, for
 * features an export never uses. yazl pumps its entries strictly in order and pipes each through deflate into
 * its output with backpressure, so an entry's source is only read as fast as `out` drains; sizes
 * and checksums go into data descriptors, so no entry is ever buffered to learn its length, and
 * ZIP64 switches on by itself past 4 GiB. yauzl, its sibling, reads the archives in the tests.
 */
import { Readable, Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/** Text or bytes of one entry, produced on demand (an async generator, typically). */
export type EntrySource = AsyncIterable<string | Buffer> | Iterable<string | Buffer>;

export interface ZipWriter {
  /**
   * Adds one entry and resolves once its source has been read to the end (and so compressed into
   * the archive's stream). Entries are written in the order they are added.
   */
  add(name: string, source: EntrySource): Promise<void>;
  /** Writes the central directory, waits until `out` has everything; returns the archive's size. */
  finish(): Promise<number>;
  /**
   * Stops half-way: `out` is destroyed with the error rather than ended, so an HTTP client sees a
   * broken download and a file is left visibly incomplete — never a shorter zip that looks whole.
   */
  abort(error: unknown): Promise<void>;
}

export function createZipWriter(out: NodeJS.WritableStream, modifiedAt: Date): ZipWriter {
  const zip = new ZipFile();
  let bytes = 0;
  // Counts the bytes written; also the stream this module owns, so destroying it with an error
  // is how an export is stopped (the pipeline then destroys yazl's stream and `out` too).
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const written = pipeline(zip.outputStream, counter, out);
  // A failure of `out` (the client went away, the disk is full) must also stop the entry being
  // read, or its source would wait for a drain that never comes.
  let failure: Error | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    written.catch((error: unknown) => {
      failure = asError(error);
      reject(failure);
    });
  });
  failed.catch(() => undefined);
  zip.on('error', (error: Error) => {
    counter.destroy(error);
  });

  return {
    async add(name, source) {
      if (failure !== undefined) {
        throw failure;
      }
      const stream = Readable.from(source, { objectMode: false });
      zip.addReadStream(stream, name, { mtime: modifiedAt });
      try {
        await Promise.race([finished(stream), failed]);
      } catch (error) {
        // Destroying a Readable.from stream returns its generator, closing any open cursor.
        stream.destroy();
        counter.destroy(asError(error));
        throw error;
      }
    },
    async finish() {
      zip.end();
      await written;
      return bytes;
    },
    async abort(error) {
      counter.destroy(asError(error));
      await written.catch(() => undefined);
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
