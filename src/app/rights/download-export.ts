import { AppError } from '../../errors.js';
import { inTransaction } from '../../store/db.js';
import { createPersonStore } from '../../store/person-store.js';
import { createRightsStore } from '../../store/rights-store.js';
import type { OrganizationScope } from '../../store/scope.js';
import { writeAuditEvent } from '../audit/write-audit-event.js';
import type { AppDeps, RequestOrigin } from '../context.js';
import { verifyLinkToken } from '../links/verify-link.js';
import { requireActivePolicy } from '../people/people-support.js';
import type { ActivePolicy } from '../policy/policy-registry.js';
import { writePersonExport } from './person-export.js';
import { viewOf } from './rights-support.js';

export interface OpenedExport {
  scope: OrganizationScope;
  active: ActivePolicy;
  personId: string;
  fileName: string;
  /** Streams the zip into `out` and audits the download. */
  write(out: NodeJS.WritableStream): Promise<void>;
}

type DownloadDeps = Pick<AppDeps, 'store' | 'clock' | 'ids' | 'policies' | 'masterKeys'>;

/**
 * Opens a download link from an answered access or portability request: the token must be
 * genuine and unexpired (an expired one answers LINK_EXPIRED and is logged), the person still on
 * record, and a completed access or portability request of theirs on record. The archive is
 * built at download time, streamed, and never stored: nothing is left behind to delete.
 */
export async function openExportDownload(
  deps: DownloadDeps,
  token: string,
  origin: RequestOrigin | undefined,
): Promise<OpenedExport> {
  const { scope, claims } = await verifyLinkToken(deps, token, ['data-export'], origin);
  const active = await requireActivePolicy(deps, scope);
  const person = await createPersonStore(deps.store.db).findById(scope, claims.personId);
  const requests = await createRightsStore(deps.store.db).listRequests(scope, {
    personId: claims.personId,
    limit: 1000,
  });
  const answered = requests.some(
    (row) => (row.kind === 'access' || row.kind === 'portability') && row.status === 'completed',
  );
  if (person === undefined || !answered) {
    throw new AppError('LINK_INVALID', 'This link is not valid.');
  }
  const now = deps.clock.now();
  return {
    scope,
    active,
    personId: person.id,
    fileName: `personal-data-${now.toISOString().slice(0, 10)}.zip`,
    write: async (out) => {
      const result = await writePersonExport(deps, scope, active, person.id, out, {
        requests: requests.map((row) => viewOf(active, row, now)),
        generatedAt: now,
      });
      await inTransaction(deps.store, (trx) =>
        writeAuditEvent({ ...deps, dialect: deps.store.dialect }, trx, scope, origin, {
          actorType: 'person',
          actorId: person.id,
          action: 'rights.export-downloaded',
          outcome: 'success',
          subjectId: person.id,
          details: {
            files: result.files.length,
            categories: result.categories,
            accessEntries: result.accessEntries,
            bytes: result.bytes,
          },
        }),
      );
    },
  };
}
