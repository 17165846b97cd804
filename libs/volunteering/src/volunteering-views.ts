import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { pageQuery } from '@allmende/content';

/** Request bodies and queries: strict, so unknown fields are a 400. */
const instant = z.iso.datetime({ offset: true });

export const shiftBody = z
  .strictObject({
    startsAt: instant,
    endsAt: instant,
    helpersNeeded: z.number().int().min(1).max(1000),
  })
  .refine((shift) => new Date(shift.endsAt) > new Date(shift.startsAt), {
    message: 'a shift ends after it starts',
    path: ['endsAt'],
  });
export type ShiftInput = z.infer<typeof shiftBody>;

export const itemBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  quantityNeeded: z.number().int().min(1).max(100_000),
});
export type ItemInput = z.infer<typeof itemBody>;

export const createCallBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    /** The description, Markdown. */
    body: z.string().trim().min(1).max(20_000),
    place: z.string().trim().min(1).max(200).nullable().optional(),
    contact: z.string().trim().min(1).max(500).nullable().optional(),
    shifts: z.array(shiftBody).max(50).default([]),
    items: z.array(itemBody).max(50).default([]),
  })
  .refine((call) => call.shifts.length + call.items.length > 0, {
    message: 'a call needs at least one shift or item',
    path: ['shifts'],
  });
export type CreateCallInput = z.infer<typeof createCallBody>;

export const editCallBody = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    body: z.string().trim().min(1).max(20_000).optional(),
    place: z.string().trim().min(1).max(200).nullable().optional(),
    contact: z.string().trim().min(1).max(500).nullable().optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: 'change at least one field',
  });
export type EditCallInput = z.infer<typeof editCallBody>;

export const itemPledgeBody = z.strictObject({ quantity: z.number().int().min(1).max(100_000) });
export type ItemPledgeInput = z.infer<typeof itemPledgeBody>;

/** `?open=true`: only open calls with open needs (a shift not yet full and not over, or an item short). */
export const callListQuery = pageQuery.extend({
  open: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true'),
});
export type CallListQuery = z.infer<typeof callListQuery>;

export const idParam = z.uuid();

/** Responses. Only names of other people, never their e-mail addresses. */
export const personView = memberReference;

export const shiftView = z.object({
  id: z.uuid(),
  startsAt: z.string(),
  endsAt: z.string(),
  helpersNeeded: z.number().int(),
  helpersPledged: z.number().int(),
  /** Places still free (0 when full). */
  helpersMissing: z.number().int(),
  /** The caller pledged this shift. */
  pledgedByMe: z.boolean(),
});
export type ShiftView = z.infer<typeof shiftView>;

export const itemView = z.object({
  id: z.uuid(),
  name: z.string(),
  quantityNeeded: z.number().int(),
  quantityPledged: z.number().int(),
  quantityMissing: z.number().int(),
  /** What the caller pledged of it (0 when nothing). */
  myQuantity: z.number().int(),
});
export type ItemView = z.infer<typeof itemView>;

export const progressView = z.object({
  helpersNeeded: z.number().int(),
  helpersPledged: z.number().int(),
  itemsNeeded: z.number().int(),
  itemsPledged: z.number().int(),
  /** Open, with a shift not full and not over, or an item short. */
  hasOpenNeeds: z.boolean(),
});

export const callView = z.object({
  id: z.uuid(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  title: z.string(),
  /** The description as written (Markdown) and rendered (sanitised HTML). */
  body: z.string(),
  bodyHtml: z.string(),
  place: z.string().nullable(),
  /** As the organiser typed it. */
  contact: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  author: personView,
  /** The caller organises it (its author, or a moderator of the group). */
  organiser: z.boolean(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  shifts: z.array(shiftView),
  items: z.array(itemView),
  progress: progressView,
});
export type CallView = z.infer<typeof callView>;

export const callPage = z.object({ items: z.array(callView), nextCursor: z.string().nullable() });

/** The organiser's view: who pledged what. */
export const pledgeListView = z.object({
  shifts: z.array(
    z.object({
      shiftId: z.uuid(),
      startsAt: z.string(),
      endsAt: z.string(),
      helpers: z.array(personView.extend({ pledgedAt: z.string() })),
    }),
  ),
  items: z.array(
    z.object({
      itemId: z.uuid(),
      name: z.string(),
      pledges: z.array(personView.extend({ quantity: z.number().int(), pledgedAt: z.string() })),
    }),
  ),
});
export type PledgeListView = z.infer<typeof pledgeListView>;
