import type { FastifyRequest } from 'fastify';

/**
 * Global Privacy Control (GPC specification § 3.1): `Sec-GPC: 1` is the only defined value;
 * anything else, or no header, is no signal. What a signal does is the policy's to say.
 */
export function gpcOf(request: FastifyRequest): { gpc: boolean } {
  const header = request.headers['sec-gpc'];
  return { gpc: typeof header === 'string' && header.trim() === '1' };
}
