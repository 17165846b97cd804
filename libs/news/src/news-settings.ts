import { z } from 'zod';
import type { GroupModule, LocalizedText } from '@allmende/groups';

/** The news module's settings of one group, as its template gave them. */
export interface NewsSettings {
  categories: { key: string; name: LocalizedText }[];
  /** Whether the group's admins may post urgent alerts. */
  urgentAlerts: boolean;
  /** Whether members of the community may comment on posts (on unless the template says no). */
  comments: boolean;
}

// Lenient on purpose: the template validated the settings when the tenant was provisioned;
// a group without categories simply accepts none.
const settingsSchema = z.object({
  categories: z
    .array(z.object({ key: z.string(), name: z.object({ de: z.string(), en: z.string().optional() }) }))
    .default([]),
  urgentAlerts: z.boolean().default(false),
  comments: z.boolean().default(true),
});

export function newsSettings(module: GroupModule): NewsSettings {
  return parseNewsSettings(module.settings);
}

/** The news settings from a group module's raw `settings` column. */
export function parseNewsSettings(settings: unknown): NewsSettings {
  const parsed = settingsSchema.safeParse(settings ?? {});
  return parsed.success ? parsed.data : { categories: [], urgentAlerts: false, comments: false };
}

/** The category's name from the settings; a category removed from the template shows its key. */
export function categoryName(settings: NewsSettings, key: string): LocalizedText {
  return settings.categories.find((category) => category.key === key)?.name ?? { de: key };
}
