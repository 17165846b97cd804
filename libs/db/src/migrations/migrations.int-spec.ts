import { schemaDiff } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { testRun } from '../../../../test/support/test-run';

/**
 * What the migrations add on purpose beyond the entity metadata: foreign keys the ORM is
 * not told about (composite, same-tenant ones and those to global tables) and CHECKs.
 */
const INTENDED_EXTRAS = [
  /^alter table "groups" drop constraint "groups_tenant_id_fkey";$/,
  /^alter table "members" drop constraint "members_(tenant_id|user_id)_fkey";$/,
  /^alter table "group_members" drop constraint "group_members_(group_fk|member_fk|tenant_id_fkey)";$/,
  /^alter table "(group_modules|bookable_resources)" drop constraint "\1_(group_fk|tenant_id_fkey)";$/,
  /^alter table "group_join_requests" drop constraint "group_join_requests_(group_fk|member_fk|decided_by_fk|tenant_id_fkey|user_id_fkey)";$/,
  /^drop index "group_join_requests_one_pending";$/,
  /^alter table "members" drop constraint "members_email_lower_check";$/,
  /^alter table "tenants" drop constraint "tenants_slug_check";$/,
];

describe('migrations', () => {
  it('build the schema the entities describe (no drift)', async () => {
    const statements = await schemaDiff({ url: testRun().ownerUrl, entities: ALL_ENTITIES });
    expect(statements.filter((line) => !INTENDED_EXTRAS.some((extra) => extra.test(line)))).toEqual([]);
  });
});
