import { z } from 'zod';
import { OptInInvitation } from '../../app/links/invite-marketing-opt-in.js';
import {
  MarketingOptInOutcome,
  MarketingOptInRequest,
  OptInLinkView,
} from '../../app/links/opt-in-by-link.js';
import {
  MarketingAudience,
  MarketingAudienceQuery,
  MarketingCampaignResult,
  SendMarketingEmailRequest,
} from '../../app/marketing/marketing-audience.js';
import { GpcOutcome } from '../../app/marketing/record-gpc-signal.js';
import { UnsubscribeLinkView, UnsubscribeOutcome } from '../../app/marketing/unsubscribe.js';
import { ErrorResponse, errorResponses } from '../common.schemas.js';

export {
  GpcOutcome,
  MarketingAudience,
  MarketingAudienceQuery,
  MarketingCampaignResult,
  MarketingOptInOutcome,
  MarketingOptInRequest,
  OptInInvitation,
  OptInLinkView,
  SendMarketingEmailRequest,
  UnsubscribeLinkView,
  UnsubscribeOutcome,
};

/** A signed link's token, as the link carries it in its query. */
export const LinkQuery = z.strictObject({
  token: z.string().min(1).max(2048).describe('The signed token the link carries'),
});

export const LinkGpcHeaders = z.looseObject({
  'sec-gpc': z
    .string()
    .optional()
    .describe(
      'Global Privacy Control: "1" is an opt-out of all marketing, when the policy honours it',
    ),
});

/** Answers of the public link routes: invalid (400), unknown person (404), expired (410). */
export const linkErrorResponses = {
  400: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  410: ErrorResponse,
  415: ErrorResponse,
  429: ErrorResponse,
} as const;

/** Staff routes that send email also answer 503 when it cannot be sent. */
export const mailingErrorResponses = { ...errorResponses, 503: ErrorResponse } as const;
