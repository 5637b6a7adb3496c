import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { consentReceipt, listConsents } from '../../app/consents/list-consents.js';
import { ConsentEvidence, readConsentEvidence } from '../../app/consents/read-consent-evidence.js';
import { recordConsent } from '../../app/consents/record-consent.js';
import { withdrawConsent } from '../../app/consents/withdraw-consent.js';
import type { AppDeps } from '../../app/context.js';
import { acceptTerms } from '../../app/terms/accept-terms.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, Id } from '../common.schemas.js';
import { PersonParams, personErrorResponses } from './people.schemas.js';
import {
  AcceptTermsRequest,
  ConsentList,
  ConsentReceipt,
  ConsentRecordView,
  RecordConsentRequest,
  TermsAcceptanceView,
  WithdrawalOutcome,
  WithdrawConsentRequest,
} from './consents.schemas.js';

/** Consents and terms acceptances of a person, entered and read by staff. */
export function consentRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['consents'];
    const person = '/api/v1/organizations/:organizationId/people/:personId';

    server.post(
      `${person}/consents`,
      {
        schema: {
          tags,
          summary:
            'Record a consent: a paper form, an institution attestation, a guardian for a minor',
          params: PersonParams,
          body: RecordConsentRequest,
          response: { 201: ConsentRecordView, ...personErrorResponses },
        },
      },
      async (request, reply) => {
        const record = await recordConsent(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.body,
          originOf(request),
        );
        return reply.status(201).send(record);
      },
    );

    server.get(
      `${person}/consents`,
      {
        schema: {
          tags,
          summary: 'A person’s consent history: every record, given and withdrawn',
          params: PersonParams,
          response: { 200: ConsentList, ...errorResponses },
        },
      },
      async (request) =>
        listConsents(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
        ),
    );

    server.get(
      `${person}/consents/:recordId/evidence`,
      {
        schema: {
          tags,
          summary: 'The scanned form kept as evidence of a consent (decrypted; audited)',
          params: PersonParams.extend({ recordId: Id }),
          response: { 200: ConsentEvidence, ...personErrorResponses },
        },
      },
      async (request) =>
        readConsentEvidence(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.params.recordId,
          originOf(request),
        ),
    );

    server.post(
      `${person}/consents/withdraw`,
      {
        schema: {
          tags,
          summary: 'Withdraw a consent on the person’s behalf; processing it allowed stops at once',
          params: PersonParams,
          body: WithdrawConsentRequest,
          response: { 200: WithdrawalOutcome, ...errorResponses },
        },
      },
      async (request) =>
        withdrawConsent(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
          request.body,
          originOf(request),
        ),
    );

    server.get(
      `${person}/consent-receipt`,
      {
        schema: {
          tags,
          summary: 'A consent receipt (Kantara Consent Receipt 1.1) of the consents in force',
          params: PersonParams,
          response: { 200: ConsentReceipt, ...errorResponses },
        },
      },
      async (request) =>
        consentReceipt(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.personId,
        ),
    );

    server.post(
      `${person}/terms-acceptances`,
      {
        schema: {
          tags,
          summary:
            'Record acceptance of the active policy’s terms (by the person, a guardian, a form)',
          params: PersonParams,
          body: AcceptTermsRequest,
          response: { 201: TermsAcceptanceView, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await acceptTerms(
              deps.app,
              await deps.authenticate(request),
              request.params.organizationId,
              request.params.personId,
              request.body,
              originOf(request),
            ),
          ),
    );
    return Promise.resolve();
  };
}
