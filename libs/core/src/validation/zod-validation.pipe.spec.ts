import { z } from 'zod';
import { ProblemException } from '../errors/problem';
import { ZodValidationPipe } from './zod-validation.pipe';

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe(
    z.strictObject({
      title: z.string(),
      tags: z.array(z.string()).optional(),
      nested: z.record(z.string(), z.string()).optional(),
    }),
  );
  const problemOf = (value: unknown) => {
    try {
      pipe.transform(value);
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      return (error as ProblemException).problem;
    }
    throw new Error('no problem raised');
  };

  it('passes valid values through', () => {
    expect(pipe.transform({ title: 'Fest 🎉 \u202Egnu' })).toEqual({ title: 'Fest 🎉 \u202Egnu' });
  });

  it('refuses NUL characters anywhere in the value as field errors (PostgreSQL text cannot hold them)', () => {
    expect(
      problemOf({ title: 'a\u0000b', tags: ['ok', '\u0000'], nested: { 'k\u0000': 'v' } }),
    ).toMatchObject({
      status: 400,
      errors: [
        { path: 'title', message: 'must not contain a NUL character' },
        { path: 'tags.1', message: 'must not contain a NUL character' },
        { path: 'nested.k\u0000', message: 'must not contain a NUL character' },
      ],
    });
    expect(problemOf('\u0000')).toMatchObject({ errors: [{ path: '(root)' }] });
  });
});
