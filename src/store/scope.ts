/**
 * Every tenant query needs an organisation scope: store methods over tenant tables take one as
 * their first argument, so a query without organization_id cannot be written by mistake. A scope
 * comes from an authenticated principal (or from an explicit system task that names its tenant).
 */
declare const scopeBrand: unique symbol;

export interface OrganizationScope {
  readonly organizationId: string;
  readonly [scopeBrand]: true;
}

export function scopeOf(organizationId: string): OrganizationScope {
  return { organizationId } as OrganizationScope;
}
