/** Every entity of the volunteering module, for ALL_ENTITIES (libs/entities). */
export const VOLUNTEERING_ENTITIES = [];
