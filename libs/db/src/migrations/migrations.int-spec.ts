import { schemaDiff } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';
import { testRun } from '../../../../test/support/test-run';

/**
 * What the migrations add on purpose beyond the entity metadata: foreign keys the ORM is
 * not told about (composite, same-tenant ones and those to global tables) and CHECKs.
 */
const INTENDED_EXTRAS = [
  // Foreign keys are written by hand (composite same-tenant ones `<table>_<x>_fk`, and
  // `<table>_<column>_fkey` to tenants and users): the entities do not declare them.
  /^alter table "(\w+)" drop constraint "\1_\w+_(fk|fkey)";$/,
  // Partial unique indexes ("one pending request") are written by hand too: `<table>_one_<what>`.
  /^drop index "(\w+)_one_\w+";$/,
  /^alter table "members" drop constraint "members_email_lower_check";$/,
  /^alter table "tenants" drop constraint "tenants_slug_check";$/,
  // Only #rrggbb reaches a community's stylesheet; a logo always has its media type.
  /^alter table "tenants" drop constraint "tenants_(accent_color|logo)_check";$/,
  // The feed's order (an expression) as an index, written by hand.
  /^drop index "news_posts_feed_order_index";$/,
];
describe('migrations', () => {
  it('build the schema the entities describe (no drift)', async () => {
    const statements = await schemaDiff({ url: testRun().ownerUrl, entities: ALL_ENTITIES });
    expect(statements.filter((line) => !INTENDED_EXTRAS.some((extra) => extra.test(line)))).toEqual([]);
  });
});
