import { createHash } from 'node:crypto';

/**
 * The audit trail is a hash chain per organisation: each entry's hash covers its own fields, a
 * digest of its details and the previous entry's hash. Changing, removing, inserting or reordering
 * an entry breaks the chain from that point on; signed checkpoints (see checkpoint notes below)
 * pin the head so truncating the end or rewriting the whole chain is caught too.
 *
 * The chain covers a digest of `details`, not the details themselves, so personal content inside
 * details can later be redacted for an erasure request while the chain stays verifiable: the log
 * survives erasure keeping ids and hashes, not the erased content.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** Details replaced by this marker have been redacted; only their digest remains. */
export const REDACTED_DETAILS = '{"redacted":true}';

export interface ChainedFields {
  organizationId: string;
  sequence: number;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  outcome: string;
  subjectId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  detailsDigest: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function detailsDigest(details: string): string {
  return sha256Hex(details);
}

/** A fixed-order JSON array: the same entry always serialises to the same bytes. */
function canonical(fields: ChainedFields, previousHash: string): string {
  return JSON.stringify([
    'custodia.audit.v1',
    fields.organizationId,
    fields.sequence,
    fields.id,
    fields.occurredAt,
    fields.actorType,
    fields.actorId,
    fields.action,
    fields.outcome,
    fields.subjectId,
    fields.ip,
    fields.userAgent,
    fields.requestId,
    fields.detailsDigest,
    previousHash,
  ]);
}

export function entryHash(fields: ChainedFields, previousHash: string): string {
  return sha256Hex(canonical(fields, previousHash));
}

export interface StoredEntry extends ChainedFields {
  details: string;
  previousHash: string;
  hash: string;
}

export interface Checkpoint {
  organizationId: string;
  treeSize: number;
  headHash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

/**
 * The signed text of a checkpoint, in the spirit of C2SP tlog-checkpoint: origin line, size,
 * head hash, then the time it was sealed.
 */
export function checkpointNote(checkpoint: Omit<Checkpoint, 'keyId' | 'signature'>): string {
  return `custodia.audit/${checkpoint.organizationId}\n${checkpoint.treeSize}\n${checkpoint.headHash}\n${checkpoint.signedAt}\n`;
}

export interface ChainProblem {
  sequence: number;
  entryId: string | null;
  kind:
    | 'gap'
    | 'content-changed'
    | 'broken-link'
    | 'details-changed'
    | 'checkpoint-signature'
    | 'checkpoint-mismatch'
    | 'truncated';
  message: string;
}

/**
 * Checks a chain entry by entry, in stored sequence order, against its checkpoints. It keeps only
 * the hashes at checkpoint positions, so a log of any length verifies in bounded memory.
 * `finish()` returns every problem found, first one first; none means the log is intact.
 */
export function createChainVerifier(
  checkpoints: readonly Checkpoint[],
  isSignatureValid: (checkpoint: Checkpoint) => boolean,
) {
  const problems: ChainProblem[] = [];
  const checkpointSizes = new Set(checkpoints.map((checkpoint) => checkpoint.treeSize));
  const hashAt = new Map<number, string>();
  let expectedPrevious = GENESIS_HASH;
  let count = 0;
  return {
    push(entry: StoredEntry): void {
      count += 1;
      if (entry.sequence !== count) {
        problems.push({
          sequence: count,
          entryId: entry.id,
          kind: 'gap',
          message: `expected entry #${count} but found #${entry.sequence}: entries were removed or inserted`,
        });
      }
      if (entry.previousHash !== expectedPrevious) {
        problems.push({
          sequence: entry.sequence,
          entryId: entry.id,
          kind: 'broken-link',
          message: `entry #${entry.sequence} does not follow the entry before it: entries were removed, inserted or reordered`,
        });
      }
      if (entryHash(entry, entry.previousHash) !== entry.hash) {
        problems.push({
          sequence: entry.sequence,
          entryId: entry.id,
          kind: 'content-changed',
          message: `entry #${entry.sequence} (${entry.id}) was changed after it was written`,
        });
      }
      if (
        entry.details !== REDACTED_DETAILS &&
        detailsDigest(entry.details) !== entry.detailsDigest
      ) {
        problems.push({
          sequence: entry.sequence,
          entryId: entry.id,
          kind: 'details-changed',
          message: `the details of entry #${entry.sequence} (${entry.id}) were changed after they were written`,
        });
      }
      if (checkpointSizes.has(entry.sequence)) {
        hashAt.set(entry.sequence, entry.hash);
      }
      expectedPrevious = entry.hash;
    },
    finish(): ChainProblem[] {
      for (const checkpoint of checkpoints) {
        if (!isSignatureValid(checkpoint)) {
          problems.push({
            sequence: checkpoint.treeSize,
            entryId: null,
            kind: 'checkpoint-signature',
            message: `the checkpoint sealed at ${checkpoint.signedAt} (size ${checkpoint.treeSize}) has an invalid signature`,
          });
          continue;
        }
        const head = hashAt.get(checkpoint.treeSize);
        if (head === undefined) {
          problems.push({
            sequence: checkpoint.treeSize,
            entryId: null,
            kind: 'truncated',
            message: `the checkpoint sealed at ${checkpoint.signedAt} covers ${checkpoint.treeSize} entries but only ${count} remain: entries were removed from the end`,
          });
        } else if (head !== checkpoint.headHash) {
          problems.push({
            sequence: checkpoint.treeSize,
            entryId: null,
            kind: 'checkpoint-mismatch',
            message: `entry #${checkpoint.treeSize} no longer matches the checkpoint sealed at ${checkpoint.signedAt}: the log was rewritten`,
          });
        }
      }
      return [...problems].sort((a, b) => a.sequence - b.sequence);
    },
    get entriesChecked(): number {
      return count;
    },
  };
}
