/** Reading and creating connections in the store. */
import type { Selectable } from 'kysely';
import type { ConnectionTable } from '../store/schema.js';
import { withDefaults, type Connection, type Identity, type StoredOptions } from '../domain/connection.js';
import { iso, type AppContext } from './context.js';
import { hashSecret } from './secrets.js';

export function connectionFromRow(row: Selectable<ConnectionTable>): Connection {
  return {
    id: row.id,
    name: row.name,
    protocol: row.protocol,
    enabled: Number(row.enabled) === 1,
    buyerIdentities: JSON.parse(row.buyer_identities) as Identity[],
    supplierIdentities: JSON.parse(row.supplier_identities) as Identity[],
    senderIdentities: JSON.parse(row.sender_identities) as Identity[],
    secretHash: row.secret_hash,
    ociUsername: row.oci_username,
    returnUrlPrefixes: JSON.parse(row.return_url_prefixes) as string[],
    options: withDefaults(JSON.parse(row.options)),
    environment: row.environment === 'test' ? 'test' : 'production',
    buyerOrg: row.buyer_org,
    secretHashPrevious: row.secret_hash_previous,
    previousValidUntil: row.previous_valid_until,
    outboundSecretSealed: row.outbound_secret_sealed,
    ipAllowList: JSON.parse(row.ip_allow_list) as string[],
    priceListId: row.price_list_id,
  };
}

export async function getConnection(ctx: AppContext, id: string): Promise<Connection | undefined> {
  const row = await ctx.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? connectionFromRow(row) : undefined;
}

export async function listConnections(ctx: AppContext, protocol?: 'oci' | 'cxml'): Promise<Connection[]> {
  let q = ctx.db.selectFrom('connections').selectAll().orderBy('id');
  if (protocol) q = q.where('protocol', '=', protocol);
  return (await q.execute()).map(connectionFromRow);
}

export interface NewConnection {
  id: string;
  name: string;
  protocol: 'oci' | 'cxml';
  buyerIdentities?: Identity[];
  supplierIdentities?: Identity[];
  senderIdentities?: Identity[];
  /** Plain secret: stored only as a hash. */
  secret: string;
  ociUsername?: string;
  returnUrlPrefixes: string[];
  options?: StoredOptions;
  environment?: 'test' | 'production';
  buyerOrg?: string;
  ipAllowList?: string[];
  priceListId?: string | null;
}

export async function createConnection(ctx: AppContext, input: NewConnection): Promise<Connection> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.id)) {
    throw new Error(`connection id "${input.id}" must be lower-case letters, digits and dashes`);
  }
  const now = iso(ctx.now());
  await ctx.db
    .insertInto('connections')
    .values({
      id: input.id,
      name: input.name,
      protocol: input.protocol,
      enabled: 1,
      buyer_identities: JSON.stringify(input.buyerIdentities ?? []),
      supplier_identities: JSON.stringify(input.supplierIdentities ?? []),
      sender_identities: JSON.stringify(input.senderIdentities ?? []),
      secret_hash: hashSecret(input.secret),
      oci_username: input.ociUsername ?? null,
      return_url_prefixes: JSON.stringify(input.returnUrlPrefixes),
      options: JSON.stringify(withDefaults(input.options ?? {})),
      created_at: now,
      updated_at: now,
      environment: input.environment ?? 'production',
      buyer_org: input.buyerOrg ?? input.name,
      secret_hash_previous: null,
      previous_valid_until: null,
      outbound_secret_sealed: null,
      ip_allow_list: JSON.stringify(input.ipAllowList ?? []),
      price_list_id: input.priceListId ?? null,
    })
    .execute();
  return (await getConnection(ctx, input.id))!;
}
