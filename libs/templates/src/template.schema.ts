import { z } from 'zod';

/**
 * The one schema of tenant templates (`templates/tenants/*.yaml`). A template sets up a
 * tenant: its defaults and its groups, each with the modules it offers and their settings.
 * Module settings given here are what provisioning stores; the modules read them later.
 */

const key = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and inner hyphens');

/** German is required, English optional (the portal falls back to German). */
export const localizedText = z.strictObject({
  de: z.string().trim().min(1),
  en: z.string().trim().min(1).optional(),
});

export const LISTING_KINDS = ['lost', 'found', 'missing_pet', 'offer', 'request'] as const;

const newsSettings = z.strictObject({
  categories: z.array(z.strictObject({ key, name: localizedText })).min(1),
  /** Whether group admins may post urgent alerts that bypass digests. */
  urgentAlerts: z.boolean().default(false),
  /** Whether members of the community may comment on the group's posts. */
  comments: z.boolean().default(true),
});

const listingsSettings = z.strictObject({
  kinds: z.array(z.enum(LISTING_KINDS)).min(1),
  /** Listings expire (and are archived) this many days after they were posted. */
  expiryDays: z.number().int().min(1).max(365).default(60),
});

export const bookableResource = z
  .strictObject({
    key,
    name: localizedText,
    description: localizedText.optional(),
    /** At most 200 characters: the length of the bookable_resources.place column. */
    place: z.string().trim().min(1).max(200).optional(),
    /** People the place holds. */
    capacity: z.number().int().positive().optional(),
    minHours: z.number().positive(),
    maxHours: z.number().positive(),
    /** Requests must come at least this many days before the start. */
    leadTimeDays: z.number().int().min(0).default(0),
    /** Requests may reach at most this many days ahead. */
    windowDays: z.number().int().positive().default(365),
    approvalRequired: z.boolean().default(true),
    /** Fee as text ("40 € pro Tag, Vereine 20 €"). */
    fee: localizedText.optional(),
    /** Deposit in euro cents. */
    depositCents: z.number().int().min(0).optional(),
    /** Rules the requester must accept. */
    houseRules: localizedText.optional(),
  })
  .refine((resource) => resource.maxHours >= resource.minHours, {
    message: 'must not be less than minHours',
    path: ['maxHours'],
  });

const bookingSettings = z.strictObject({
  resources: z.array(bookableResource).min(1),
  /** Whether the occupancy calendar (busy/tentative only) is visible without login. */
  publicCalendar: z.boolean().default(true),
});

const eventsSettings = z.strictObject({ rsvp: z.boolean().default(true) });
const emptySettings = z.strictObject({});
const filesSettings = z.strictObject({ quotaMb: z.number().int().positive().optional() });

/** Modules of a group: a key present means the module is on, with these settings. */
export const groupModules = z
  .strictObject({
    news: newsSettings.optional(),
    listings: listingsSettings.optional(),
    volunteering: emptySettings.optional(),
    booking: bookingSettings.optional(),
    events: eventsSettings.optional(),
    polls: emptySettings.optional(),
    discussions: emptySettings.optional(),
    files: filesSettings.optional(),
  })
  .refine(
    (modules) => Object.values(modules).some((settings) => settings !== undefined),
    'a group needs a module',
  );

export const templateGroup = z.strictObject({
  key,
  name: localizedText,
  description: localizedText.optional(),
  visibility: z.enum(['public', 'members', 'private']),
  joinPolicy: z.enum(['open', 'request', 'invite']),
  modules: groupModules,
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('de', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const tenantTemplate = z
  .strictObject({
    kind: z.enum(['municipality', 'church', 'sports_club', 'school', 'nonprofit']),
    name: localizedText,
    description: localizedText.optional(),
    locale: z.enum(['de', 'en']).default('de'),
    timezone: z.string().refine(isTimeZone, 'unknown time zone').default('Europe/Berlin'),
    digest: z
      .strictObject({
        frequency: z.enum(['off', 'daily', 'weekly']).default('daily'),
        hour: z.number().int().min(0).max(23).default(7),
        /** ISO weekday of weekly digests: 1 = Monday … 7 = Sunday. */
        weekday: z.number().int().min(1).max(7).default(1),
      })
      .prefault({}),
    groups: z.array(templateGroup).min(1),
  })
  .superRefine((template, context) => {
    const seen = new Set<string>();
    template.groups.forEach((group, index) => {
      if (seen.has(group.key)) {
        context.addIssue({
          code: 'custom',
          message: `duplicate group key "${group.key}"`,
          path: ['groups', index, 'key'],
        });
      }
      seen.add(group.key);
    });
  });

export type TenantTemplate = z.infer<typeof tenantTemplate>;
export type TemplateGroup = z.infer<typeof templateGroup>;
export type BookableResourceTemplate = z.infer<typeof bookableResource>;
export type GroupModules = z.infer<typeof groupModules>;
