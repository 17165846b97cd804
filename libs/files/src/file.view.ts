import { z } from 'zod';

/** A file as the API shows it: no storage key, no e-mail addresses; the uploader by name. */
export const fileView = z.object({
  id: z.uuid(),
  name: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.object({ memberId: z.uuid(), givenName: z.string(), familyName: z.string() }).nullable(),
  createdAt: z.string(),
});
export type FileView = z.infer<typeof fileView>;

/** The multipart body of an upload (for the OpenAPI document; the parser checks it). */
export const uploadBody = z.strictObject({ file: z.file() });
