import { z } from 'zod';
import { ConsentRecordView } from '../../app/consents/record-consent.js';
import { WithdrawalOutcome } from '../../app/consents/withdraw-consent.js';
import { SelfServiceInvitation } from '../../app/self-service/invite-self-service.js';
import {
  ModifyOwnRecordRequest,
  OwnRecord,
  SelfServiceConsentRequest,
  SelfServiceOverview,
} from '../../app/self-service/self-service-actions.js';
import { TermsAcceptanceView } from '../../app/terms/accept-terms.js';
import { ErrorResponse } from '../common.schemas.js';
import { Id } from '../common.schemas.js';
import { linkErrorResponses } from './marketing.schemas.js';

export {
  ConsentRecordView,
  ModifyOwnRecordRequest,
  OwnRecord,
  SelfServiceConsentRequest,
  SelfServiceInvitation,
  SelfServiceOverview,
  TermsAcceptanceView,
  WithdrawalOutcome,
};

export { LinkGpcHeaders, LinkQuery } from './marketing.schemas.js';

export const SelfServicePersonParams = z.strictObject({ personId: Id });

export const SelfServiceWithdrawRequest = z.strictObject({ consent: z.string().min(1).max(64) });

/** Self-service answers: the link's own errors, 403 for what a link may not do, 422 for age. */
export const selfServiceErrorResponses = {
  ...linkErrorResponses,
  403: ErrorResponse,
  422: ErrorResponse,
} as const;
