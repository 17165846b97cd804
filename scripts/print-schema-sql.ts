import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions } from '@allmende/db';
import { ALL_ENTITIES } from '@allmende/entities';

async function main() {
  const orm = await MikroORM.init({ ...createOrmOptions({ url: process.argv[2]!, entities: ALL_ENTITIES }) });
  console.log(await orm.schema.getCreateSchemaSQL());
  await orm.close();
}
void main();
