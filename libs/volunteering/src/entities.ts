import { VolunteerCallSchema } from './volunteer-call.entity';
import { VolunteerItemSchema } from './volunteer-item.entity';
import { VolunteerPledgeSchema } from './volunteer-pledge.entity';
import { VolunteerShiftSchema } from './volunteer-shift.entity';

/** Every entity of the volunteering module, for ALL_ENTITIES (libs/entities). */
export const VOLUNTEERING_ENTITIES = [
  VolunteerCallSchema,
  VolunteerShiftSchema,
  VolunteerItemSchema,
  VolunteerPledgeSchema,
];
