/** Every entity of the discussions module, for ALL_ENTITIES (libs/entities). */
export const DISCUSSIONS_ENTITIES = [];
