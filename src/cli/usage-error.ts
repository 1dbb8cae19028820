// A mistake in how the `fleetdesk` command was called: said with the usage text, exit code 2.
export class UsageError extends Error {}
