// One ordered list of migrations, made of the domains' own steps. Each domain declares the steps that
// create or change its tables, keyed by the version they belong to; version v runs every domain's step v
// (in the order the domains are listed) in one transaction and sets user_version = v. Append-only: a
// database built fresh and one upgraded from any earlier version end up with the same schema
// (test/schema-upgrade.test.ts checks this against the list as it stood before the split).

/** version → SQL of one domain's part of that migration. */
export type SchemaSteps = Readonly<Record<number, string>>;

export function mergeSchema(domains: readonly SchemaSteps[]): string[] {
  const versions = domains.flatMap((d) => Object.keys(d).map(Number));
  const top = Math.max(0, ...versions);
  const out: string[] = [];
  for (let v = 1; v <= top; v++) {
    const parts = domains.map((d) => d[v]).filter((s): s is string => s !== undefined);
    if (parts.length === 0) throw new Error(`migration ${v} is missing: versions must follow each other`);
    out.push(parts.join('\n'));
  }
  return out;
}
