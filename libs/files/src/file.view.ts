import { z } from 'zod';
import { memberReference } from '@allmende/members';

/** A file as the API shows it: no storage key, no e-mail addresses; the uploader by name. */
export const fileView = z.object({
  id: z.uuid(),
  name: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedBy: memberReference.nullable(),
  createdAt: z.string(),
});
export type FileView = z.infer<typeof fileView>;

/** The multipart body of an upload (for the OpenAPI document; the parser checks it). */
export const uploadBody = z.strictObject({ file: z.file() });
