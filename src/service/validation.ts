import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { HubError } from '../errors.js';

/** Input schemas of the use cases; every adapter's input passes through them. */
export const BoardNameSchema = z
  .string()
  .trim()
  .min(1, 'a board needs a name')
  .max(200, 'at most 200 characters');
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id');
export const RoleSchema = z.enum(ROLES);

export const ShareRequestSchema = z.object({
  boardId: IdSchema,
  role: RoleSchema,
  label: z.string().trim().max(200, 'at most 200 characters').default(''),
  /** Lifetime in milliseconds; absent means the share does not expire. */
  ttlMs: z
    .number()
    .int()
    .positive()
    .max(10 * 365 * 24 * 3600 * 1000, 'at most 10 years')
    .optional(),
});
export type ShareRequest = z.input<typeof ShareRequestSchema>;

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    throw new HubError('INVALID_ARGUMENT', `Invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}
