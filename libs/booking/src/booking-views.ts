import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { pageQuery } from '@allmende/content';
import { BOOKING_STATUSES, DEPOSIT_STATUSES } from './booking.entity';

/** Request bodies and queries: strict, so unknown fields are a 400. */
const localizedText = z.strictObject({
  de: z.string().trim().min(1).max(5000),
  en: z.string().trim().min(1).max(5000).optional(),
});
const fieldKey = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');
const instant = z.iso.datetime({ offset: true });

export const extraFieldSchema = z.strictObject({
  key: fieldKey,
  label: localizedText,
  required: z.boolean().default(false),
});

/** What tenant admins may change on a resource (its key and group stay). */
export const updateResourceBody = z
  .strictObject({
    name: localizedText.optional(),
    description: localizedText.nullable().optional(),
    place: z.string().trim().min(1).max(200).nullable().optional(),
    capacity: z.number().int().positive().nullable().optional(),
    minHours: z
      .number()
      .positive()
      .max(24 * 365)
      .optional(),
    maxHours: z
      .number()
      .positive()
      .max(24 * 365)
      .optional(),
    leadTimeDays: z.number().int().min(0).max(3650).optional(),
    windowDays: z.number().int().positive().max(3650).optional(),
    approvalRequired: z.boolean().optional(),
    fee: localizedText.nullable().optional(),
    depositCents: z.number().int().min(0).nullable().optional(),
    houseRules: localizedText.nullable().optional(),
    extraFields: z.array(extraFieldSchema).max(20).nullable().optional(),
  })
  .refine((input) => Object.keys(input).length > 0, { message: 'change at least one field' })
  .refine(
    (input) =>
      input.minHours === undefined || input.maxHours === undefined || input.maxHours >= input.minHours,
    { message: 'must not be less than minHours', path: ['maxHours'] },
  )
  .refine(
    (input) =>
      !input.extraFields ||
      new Set(input.extraFields.map((field) => field.key)).size === input.extraFields.length,
    { message: 'field keys must be unique', path: ['extraFields'] },
  );
export type UpdateResourceInput = z.infer<typeof updateResourceBody>;

/** A booking request. Times are ISO 8601 with offset; the period is half-open [start, end). */
export const createRequestBody = z.strictObject({
  start: instant,
  end: instant,
  purpose: z.string().trim().min(1).max(2000),
  expectedGuests: z.number().int().min(1).max(10_000),
  contactPhone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()/-]{5,30}$/, 'a phone number'),
  /** Must be true when the resource has house rules. */
  acceptHouseRules: z.boolean().default(false),
  /** Answers to the resource's extra fields, by field key. */
  answers: z.record(fieldKey, z.string().trim().max(1000)).default({}),
});
export type CreateRequestInput = z.infer<typeof createRequestBody>;

export const decisionBody = z.strictObject({ message: z.string().trim().max(2000).optional() });
export type DecisionInput = z.infer<typeof decisionBody>;
/** Declining needs a reason for the requester. */
export const declineBody = z.strictObject({ message: z.string().trim().min(1).max(2000) });

export const handoverBody = z
  .strictObject({
    depositStatus: z.enum(DEPOSIT_STATUSES).optional(),
    keyNotes: z.string().trim().max(2000).nullable().optional(),
  })
  .refine((input) => input.depositStatus !== undefined || input.keyNotes !== undefined, {
    message: 'change the deposit status or the key notes',
  });
export type HandoverInput = z.infer<typeof handoverBody>;

export const occupancyQuery = z
  .strictObject({ from: instant, to: instant })
  .refine((query) => Date.parse(query.to) > Date.parse(query.from), {
    message: 'must be after from',
    path: ['to'],
  })
  .refine((query) => Date.parse(query.to) - Date.parse(query.from) <= 400 * 86_400_000, {
    message: 'at most 400 days at once',
    path: ['to'],
  });
export type OccupancyQuery = z.infer<typeof occupancyQuery>;

export const queueQuery = pageQuery.extend({ status: z.enum(BOOKING_STATUSES).optional() });
export type QueueQuery = z.infer<typeof queueQuery>;

export const idParam = z.uuid();
export const resourceParam = fieldKey;

/** Responses. */
const localizedView = z.object({ de: z.string(), en: z.string().optional() });

export const resourceView = z.object({
  id: z.uuid(),
  key: z.string(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  name: localizedView,
  description: localizedView.nullable(),
  place: z.string().nullable(),
  capacity: z.number().int().nullable(),
  rules: z.object({
    minHours: z.number(),
    maxHours: z.number(),
    leadTimeDays: z.number().int(),
    windowDays: z.number().int(),
    approvalRequired: z.boolean(),
    fee: localizedView.nullable(),
    depositCents: z.number().int().nullable(),
    houseRules: localizedView.nullable(),
  }),
  extraFields: z.array(z.object({ key: z.string(), label: localizedView, required: z.boolean() })),
});
export type ResourceView = z.infer<typeof resourceView>;
export const resourceList = z.object({ items: z.array(resourceView) });

export const bookingView = z.object({
  id: z.uuid(),
  resource: z.object({ id: z.uuid(), key: z.string() }),
  group: z.object({ id: z.uuid(), key: z.string() }),
  start: z.string(),
  end: z.string(),
  status: z.enum(BOOKING_STATUSES),
  purpose: z.string(),
  purposeHtml: z.string(),
  expectedGuests: z.number().int(),
  contactPhone: z.string(),
  houseRulesAccepted: z.boolean(),
  answers: z.record(z.string(), z.string()),
  requester: memberReference,
  /** The caller made the request. */
  mine: z.boolean(),
  decisionMessage: z.string().nullable(),
  decisionMessageHtml: z.string().nullable(),
  decidedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  depositStatus: z.enum(DEPOSIT_STATUSES).nullable(),
  /** Only for stewards. */
  keyNotes: z.string().nullable(),
  createdAt: z.string(),
});
export type BookingView = z.infer<typeof bookingView>;
export const bookingPage = z.object({ items: z.array(bookingView), nextCursor: z.string().nullable() });

/** A held slot: others see only when and how sure; the requester also sees their booking. */
export const slotView = z.object({
  start: z.string(),
  end: z.string(),
  state: z.enum(['busy', 'tentative']),
  booking: bookingView.nullable(),
});
export type SlotView = z.infer<typeof slotView>;
export const occupancyView = z.object({
  resource: z.object({ id: z.uuid(), key: z.string() }),
  from: z.string(),
  to: z.string(),
  slots: z.array(slotView),
});
export type OccupancyView = z.infer<typeof occupancyView>;

export const feedView = z.object({ url: z.string() });
export type FeedView = z.infer<typeof feedView>;
