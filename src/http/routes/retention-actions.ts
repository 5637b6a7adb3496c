import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { LINK_PATHS } from '../../app/links/signed-link-urls.js';
import {
  answerRetentionReview,
  answerRetentionReviewByLink,
  describeRetentionReviewLink,
  listRetentionReviews,
  RetentionQuestions,
  ReviewAnswerOutcome,
  ReviewAnswerRequest,
} from '../../app/retention/answer-retention-review.js';
import {
  AnonymisedRecords,
  AnonymisedRecordsQuery,
  listAnonymisedRecords,
} from '../../app/retention/list-anonymised-records.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { errorResponses, Id, OrganizationParams } from '../common.schemas.js';
import { LINK_RATE_LIMIT_PER_MINUTE } from './marketing.js';
import { LinkQuery, linkErrorResponses } from './marketing.schemas.js';

/**
 * What the anonymise and review actions of retention leave to people and staff: the emailed
 * review link (public: keep my data, or not), the staff queue of open questions, and the
 * anonymised records kept for aggregate use.
 */
export function retentionActionRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  const rateLimit = { max: LINK_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };
  return (server) => {
    const tags = ['retention'];
    const organization = '/api/v1/organizations/:organizationId';

    server.get(
      LINK_PATHS['retention-review'],
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'What a retention review link asks (public; changes nothing)',
          security: [],
          querystring: LinkQuery,
          response: { 200: RetentionQuestions, ...linkErrorResponses },
        },
      },
      (request) => describeRetentionReviewLink(deps.app, request.query.token, originOf(request)),
    );

    server.post(
      LINK_PATHS['retention-review'],
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: 'Answer a retention review through one’s own signed link (public)',
          description:
            'Decides every open question of the person at once: keep, for the extension the ' +
            'policy offers, or no, and the data ends at the next retention run.',
          security: [],
          querystring: LinkQuery,
          body: ReviewAnswerRequest.pick({ answer: true }),
          response: { 200: ReviewAnswerOutcome, ...linkErrorResponses },
        },
      },
      (request) =>
        answerRetentionReviewByLink(
          deps.app,
          request.query.token,
          request.body.answer,
          originOf(request),
        ),
    );

    server.get(
      `${organization}/retention/reviews`,
      {
        schema: {
          tags,
          summary: 'The staff queue: review questions not answered yet, oldest first',
          params: OrganizationParams,
          response: { 200: RetentionQuestions, ...errorResponses },
        },
      },
      async (request) =>
        listRetentionReviews(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
        ),
    );

    server.post(
      `${organization}/retention/reviews/:reviewId/answer`,
      {
        schema: {
          tags,
          summary: 'Record the answer to a review question (staff, or the person’s by phone)',
          params: OrganizationParams.extend({ reviewId: Id }),
          body: ReviewAnswerRequest,
          response: { 200: ReviewAnswerOutcome, ...errorResponses },
        },
      },
      async (request) =>
        answerRetentionReview(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.reviewId,
          request.body,
          originOf(request),
        ),
    );

    server.get(
      `${organization}/anonymised-records`,
      {
        schema: {
          tags,
          summary: 'Anonymised records of a category, for aggregate use (no record names anyone)',
          params: OrganizationParams,
          querystring: AnonymisedRecordsQuery,
          response: { 200: AnonymisedRecords, ...errorResponses },
        },
      },
      async (request) =>
        listAnonymisedRecords(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.query,
        ),
    );
    return Promise.resolve();
  };
}
