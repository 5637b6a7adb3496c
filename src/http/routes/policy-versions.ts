import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../app/context.js';
import { activatePolicyVersion } from '../../app/policy/activate-policy-version.js';
import {
  announcePolicyVersion,
  publishPolicyVersionNotice,
} from '../../app/policy/announce-policy-version.js';
import { listPolicyVersions } from '../../app/policy/list-policy-versions.js';
import { policyAcceptanceReport } from '../../app/policy/policy-acceptance-report.js';
import { publishPrivacyNotice } from '../../app/policy/publish-privacy-notice.js';
import { uploadPolicyVersion } from '../../app/policy/upload-policy-version.js';
import { type Authenticator, originOf } from '../authenticate.js';
import { ErrorResponse, errorResponses, OrganizationParams } from '../common.schemas.js';
import {
  ActivatedPolicyVersionResponse,
  ActivatePolicyVersionRequest,
  AnnouncedPolicyVersion,
  AnnouncePolicyVersionRequest,
  PolicyAcceptanceReport,
  PolicyVersionNoticeParams,
  PolicyVersionParams,
  PolicyVersionsResponse,
  PolicyVersionView,
  PrivacyNoticeParams,
  PrivacyNoticeQuery,
  PrivacyNoticeText,
  UploadPolicyVersionRequest,
} from './policy-versions.schemas.js';

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
} as const;

/**
 * The notice is a standalone page with its own inline <style> and nothing else: no script, no
 * image, no form. The server-wide policy (default-src 'self') would block the style, so this one
 * answer carries a narrower policy of its own that allows exactly that.
 */
const NOTICE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function policyVersionRoutes(deps: {
  app: AppDeps;
  authenticate: Authenticator;
}): FastifyPluginAsyncZod {
  return (server) => {
    const tags = ['policy'];
    server.post(
      '/api/v1/organizations/:organizationId/policy-versions',
      {
        schema: {
          tags,
          summary: 'Upload a policy file as a draft version (checked first; every problem named)',
          params: OrganizationParams,
          body: UploadPolicyVersionRequest,
          response: { 201: PolicyVersionView, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await uploadPolicyVersion(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.body,
          originOf(request),
        );
        return reply.status(201).send(created);
      },
    );

    server.get(
      '/api/v1/organizations/:organizationId/policy-versions',
      {
        schema: {
          tags,
          summary: 'Every policy version of the organisation, newest first',
          params: OrganizationParams,
          response: { 200: PolicyVersionsResponse, ...errorResponses },
        },
      },
      async (request) => ({
        versions: await listPolicyVersions(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
        ),
      }),
    );

    server.post(
      '/api/v1/organizations/:organizationId/policy-versions/:versionId/activate',
      {
        schema: {
          tags,
          summary:
            'Make a version the enforced policy; assignRoles gives staff the new policy’s roles in the same step',
          params: PolicyVersionParams,
          body: ActivatePolicyVersionRequest,
          response: { 200: ActivatedPolicyVersionResponse, ...errorResponses },
        },
      },
      async (request) =>
        activatePolicyVersion(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.versionId,
          request.body,
          originOf(request),
        ),
    );

    server.post(
      '/api/v1/organizations/:organizationId/policy-versions/:versionId/announce',
      {
        schema: {
          tags,
          summary:
            'Schedule a draft with significant changes to take effect on effectiveAt (at least the policy’s notice_lead_time ahead); everyone affected is emailed on the server’s next policy-change tick',
          params: PolicyVersionParams,
          body: AnnouncePolicyVersionRequest,
          response: { 200: AnnouncedPolicyVersion, ...errorResponses },
        },
      },
      async (request) =>
        announcePolicyVersion(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.versionId,
          request.body,
          originOf(request),
        ),
    );

    server.get(
      '/api/v1/organizations/:organizationId/policy-versions/:versionId/acceptance',
      {
        schema: {
          tags,
          summary:
            'Who was told of an announced version, who accepted it (explicitly or by continued use) and who has not yet',
          params: PolicyVersionParams,
          response: { 200: PolicyAcceptanceReport, ...errorResponses },
        },
      },
      async (request) =>
        policyAcceptanceReport(
          deps.app,
          await deps.authenticate(request),
          request.params.organizationId,
          request.params.versionId,
        ),
    );

    server.get(
      '/api/v1/privacy-notices/:slug/versions/:versionId',
      {
        schema: {
          tags,
          summary:
            'The privacy notice of one version once it is public: active, formerly active, or announced (public; policy-change emails link here)',
          security: [],
          params: PolicyVersionNoticeParams,
          querystring: PrivacyNoticeQuery,
          response: {
            200: {
              description: 'The notice, in the format asked for',
              content: {
                'text/html': { schema: PrivacyNoticeText },
                'text/markdown': { schema: PrivacyNoticeText },
              },
            },
            400: ErrorResponse,
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const notice = await publishPolicyVersionNotice(deps.app, {
          slug: request.params.slug,
          versionId: request.params.versionId,
          format: request.query.format,
          language: request.query.lang,
        });
        return reply
          .header('content-type', CONTENT_TYPES[request.query.format])
          .header('content-language', notice.language)
          .header('content-security-policy', NOTICE_CONTENT_SECURITY_POLICY)
          .send(notice.text);
      },
    );

    server.get(
      '/api/v1/privacy-notices/:slug',
      {
        schema: {
          tags,
          summary: 'The privacy notice of the policy an organisation enforces now (public)',
          security: [],
          params: PrivacyNoticeParams,
          querystring: PrivacyNoticeQuery,
          response: {
            200: {
              description: 'The notice, in the format asked for',
              content: {
                'text/html': { schema: PrivacyNoticeText },
                'text/markdown': { schema: PrivacyNoticeText },
              },
            },
            400: ErrorResponse,
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const notice = await publishPrivacyNotice(deps.app, {
          slug: request.params.slug,
          format: request.query.format,
          language: request.query.lang,
        });
        return reply
          .header('content-type', CONTENT_TYPES[request.query.format])
          .header('content-language', notice.language)
          .header('content-security-policy', NOTICE_CONTENT_SECURITY_POLICY)
          .send(notice.text);
      },
    );
    return Promise.resolve();
  };
}
