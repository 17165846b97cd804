import { z } from 'zod';

/** How other people appear in the modules' views: by name, never by e-mail. */
export const memberReference = z.object({
  memberId: z.uuid(),
  givenName: z.string(),
  familyName: z.string(),
});
export type MemberReference = z.infer<typeof memberReference>;

export function memberReferenceOf(member: {
  id: string;
  givenName: string;
  familyName: string;
}): MemberReference {
  return { memberId: member.id, givenName: member.givenName, familyName: member.familyName };
}
