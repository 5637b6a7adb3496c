import { z } from 'zod';
import { ApiTokenView } from '../../app/api-tokens/api-token-view.js';
import { CreateApiTokenRequest } from '../../app/api-tokens/create-api-token.js';
import { Id } from '../common.schemas.js';

export { ApiTokenView, CreateApiTokenRequest };

export const ApiTokenParams = z.strictObject({ organizationId: Id, tokenId: Id });

export const CreateApiTokenResponse = z.object({
  apiToken: ApiTokenView,
  token: z.string().describe('The bearer token: shown this once, stored only as a hash'),
});

export const ApiTokensResponse = z.object({ apiTokens: z.array(ApiTokenView) });
