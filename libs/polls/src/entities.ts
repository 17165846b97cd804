/** Every entity of the polls module, for ALL_ENTITIES (libs/entities). */
export const POLLS_ENTITIES = [];
