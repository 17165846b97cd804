import { EventRsvpSchema } from './event-rsvp.entity';
import { EventSchema } from './event.entity';

/** Every entity of the events module, for ALL_ENTITIES (libs/entities). */
export const EVENTS_ENTITIES = [EventSchema, EventRsvpSchema];
