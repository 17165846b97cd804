import { z } from 'zod';
import { memberReference } from '@allmende/members';
import { pageQuery } from '@allmende/content';
import { POLL_ANSWERS } from './poll-answer.entity';

const MAX_OPTIONS = 30;

/** Request bodies: strict, so unknown fields are a 400. */
export const optionBody = z
  .strictObject({
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
  })
  .refine((option) => new Date(option.endsAt).getTime() > new Date(option.startsAt).getTime(), {
    path: ['endsAt'],
    message: 'must be after startsAt',
  });

export const createPollBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(20_000).default(''),
  closesAt: z.iso.datetime({ offset: true }).nullable().default(null),
  options: z.array(optionBody).min(1).max(MAX_OPTIONS),
});
export type CreatePollInput = z.infer<typeof createPollBody>;

/** The caller's whole set of answers: options left out are unanswered afterwards. */
export const answersBody = z.strictObject({
  answers: z
    .array(z.strictObject({ optionId: z.uuid(), answer: z.enum(POLL_ANSWERS) }))
    .max(MAX_OPTIONS)
    .refine((answers) => new Set(answers.map((each) => each.optionId)).size === answers.length, {
      message: 'each option at most once',
    }),
});
export type AnswersInput = z.infer<typeof answersBody>;

/** Finalising: the chosen option, and what the event gets besides its date. */
export const finaliseBody = z.strictObject({
  optionId: z.uuid(),
  /** The event's title; the poll's unless given. */
  title: z.string().trim().min(1).max(200).optional(),
  place: z.string().trim().min(1).max(300).nullable().default(null),
  capacity: z.number().int().min(1).max(100_000).nullable().default(null),
});
export type FinaliseInput = z.infer<typeof finaliseBody>;

export const pollListQuery = pageQuery;
export const idParam = z.uuid();

/** Responses. Names of other people, never their e-mail addresses. */
export const personView = memberReference;

export const optionResultView = z.object({
  id: z.uuid(),
  startsAt: z.string(),
  endsAt: z.string(),
  yes: z.number().int(),
  maybe: z.number().int(),
  no: z.number().int(),
  /** Who answered what: only for members of the group (and moderators); null otherwise. */
  answers: z.array(personView.extend({ answer: z.enum(POLL_ANSWERS) })).nullable(),
  /** The caller's answer to this option. */
  myAnswer: z.enum(POLL_ANSWERS).nullable(),
});
export type OptionResultView = z.infer<typeof optionResultView>;

export const pollView = z.object({
  id: z.uuid(),
  group: z.object({ id: z.uuid(), key: z.string() }),
  title: z.string(),
  description: z.string(),
  descriptionHtml: z.string(),
  author: personView,
  mine: z.boolean(),
  createdAt: z.string(),
  closesAt: z.string().nullable(),
  /** No more answers: closed by hand, past `closesAt`, or finalised. */
  closed: z.boolean(),
  finalisedOptionId: z.uuid().nullable(),
  finalisedEventId: z.uuid().nullable(),
  /** Members who answered at least one option. */
  participants: z.number().int(),
  /** The results table: one row per option, in the author's order. */
  options: z.array(optionResultView),
});
export type PollView = z.infer<typeof pollView>;

export const pollPage = z.object({ items: z.array(pollView), nextCursor: z.string().nullable() });
