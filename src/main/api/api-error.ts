// An error whose message is meant for the person using FleetDesk; transports pass it through as is.
import type { ApiErrorBody } from '../../shared/api';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a transport sends back for a failed call: ApiErrors verbatim, anything else as an internal error. */
export function toErrorBody(err: unknown): ApiErrorBody {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return { code: 'internal', message: `FleetDesk hit an internal error: ${(err as Error)?.message ?? String(err)}` };
}
