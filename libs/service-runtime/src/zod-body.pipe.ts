import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { validationProblem } from './problem-details';

/** Validates a body against a zod schema; every failing field is listed (SPEC §5: missing fields, each listed). */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw validationProblem(
      result.error.issues.flatMap((issue) => {
        const base = issue.path.map(String).join('.');
        // an unknown field is reported under its own name, not its parent's
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((k) => ({ field: base ? `${base}.${k}` : k, message: 'is not a known field' }));
        }
        return [{ field: base || '(body)', message: issue.message }];
      }),
    );
  }
}
