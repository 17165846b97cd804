import type { MikroORM } from '@mikro-orm/postgresql';
import { ProvisioningService } from '@allmende/provisioning';
import { loadTemplate } from '@allmende/templates';

export const DEMO_TENANT = 'ransbach-baumbach';

/**
 * The demo community of `npm start`: Ransbach-Baumbach from the municipality template.
 * Idempotent: an existing demo tenant is left as it is.
 */
export async function seedDemo(orm: MikroORM): Promise<'created' | 'exists'> {
  const result = await new ProvisioningService(orm).createTenant({
    slug: DEMO_TENANT,
    name: 'Verbandsgemeinde Ransbach-Baumbach',
    template: await loadTemplate('municipality'),
    templateName: 'municipality',
    adminEmail: 'buergermeisterin@ransbach-baumbach.example',
  });
  return result.status;
}
