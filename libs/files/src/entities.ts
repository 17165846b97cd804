import { StoredFileSchema } from './stored-file.entity';

/** Every entity of the files module, for ALL_ENTITIES (libs/entities). */
export const FILES_ENTITIES = [StoredFileSchema];
