/** Every entity of the listings module, for ALL_ENTITIES (libs/entities). */
export const LISTINGS_ENTITIES = [];
