/** Every entity of the events module, for ALL_ENTITIES (libs/entities). */
export const EVENTS_ENTITIES = [];
