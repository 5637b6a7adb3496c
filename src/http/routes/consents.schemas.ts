import { ConsentList, ConsentReceipt } from '../../app/consents/list-consents.js';
import { ConsentRecordView, RecordConsentRequest } from '../../app/consents/record-consent.js';
import { WithdrawalOutcome, WithdrawConsentRequest } from '../../app/consents/withdraw-consent.js';
import { AcceptTermsRequest, TermsAcceptanceView } from '../../app/terms/accept-terms.js';

export {
  AcceptTermsRequest,
  ConsentList,
  ConsentReceipt,
  ConsentRecordView,
  RecordConsentRequest,
  TermsAcceptanceView,
  WithdrawalOutcome,
  WithdrawConsentRequest,
};
