import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details: what every 4xx and 5xx of every service looks like. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://paystate.dev/problems/';

/** An error that already knows how it should be shown to a client. */
export class ProblemError extends Error {
  constructor(readonly problem: ProblemDetails, readonly headers: Record<string, string> = {}) {
    super(problem.detail ?? problem.title);
  }

  static of(status: number, slug: string, title: string, detail?: string, extra: Partial<ProblemDetails> = {}): ProblemError {
    return new ProblemError({ type: `${TYPE_BASE}${slug}`, title, status, ...(detail ? { detail } : {}), ...extra });
  }
}

export const validationProblem = (errors: FieldError[]): ProblemError =>
  ProblemError.of(400, 'validation', 'Your request is not valid', `${errors.length} field(s) failed validation`, { errors });

/** Body-parser failures arrive as plain errors carrying a `type` and `status`. */
function fromBodyParser(error: unknown): ProblemError | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { type?: unknown; status?: unknown; limit?: unknown };
  switch (e.type) {
    case 'entity.parse.failed':
      return ProblemError.of(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return ProblemError.of(413, 'payload-too-large', 'Request body too large', `The body exceeds the limit of ${String(e.limit)} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return ProblemError.of(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json in UTF-8.');
    default:
      return undefined;
  }
}

/**
 * Maps every error to problem+json. Nothing internal (stack, SQL, driver message) leaves the service:
 * unknown errors are logged with their detail and answered with a bare 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.toProblem(error);
    response
      .status(problem.problem.status)
      .set({ ...problem.headers, 'Content-Type': 'application/problem+json' })
      .send(JSON.stringify(problem.problem));
  }

  private toProblem(error: unknown): ProblemError {
    if (error instanceof ProblemError) return error;
    const parser = fromBodyParser(error);
    if (parser) return parser;
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const title = HttpStatus[status]?.toString().replace(/_/g, ' ').toLowerCase() ?? 'error';
      return ProblemError.of(status, String(status), title.charAt(0).toUpperCase() + title.slice(1), status < 500 ? error.message : undefined);
    }
    this.logger.error({ err: error }, 'unhandled error');
    return ProblemError.of(500, 'internal', 'Internal server error', 'Something went wrong on our side; it has been logged.');
  }
}
