import { api } from "./api";
import { seedKey } from "./table";

/**
 * A service allowed to broker sessions into a tenant: a permission set, a grant for it, and the
 * service's API key (the key's secret is returned).
 */
export async function grantedService(
  admin: string,
  tenantId: string,
  service: string,
  permissionSet = `${service}-read`,
  /** What the permission set allows (IAM decides with it as the session policy). */
  actions: string[] = ["s3:Get*"],
): Promise<string> {
  const set = await api({
    method: "PUT",
    path: `/v1/permission-sets/${permissionSet}`,
    key: admin,
    body: {
      policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
      },
    },
  });
  if (set.status >= 300) throw new Error(`permission set: ${set.status}`);
  const grant = await api({
    method: "POST",
    path: "/v1/grants",
    key: admin,
    body: { service, tenantId, permissionSets: [permissionSet] },
  });
  if (grant.status !== 201) throw new Error(`grant: ${grant.status}`);
  return (await seedKey(process.env.TABLE_NAME as string, { role: "service", service })).secret;
}

/** The key of another tenant, made for the occasion: what a nosy neighbour would hold. */
export async function otherTenantKey(admin: string, name = "Nosy"): Promise<string> {
  const other = await api({ method: "POST", path: "/v1/tenants", key: admin, body: { name } });
  if (other.status !== 201) throw new Error(`tenant: ${other.status}`);
  return (
    await seedKey(process.env.TABLE_NAME as string, {
      role: "tenant",
      tenantId: other.body.tenantId,
    })
  ).secret;
}
