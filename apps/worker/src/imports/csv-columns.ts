/** The file itself is unusable (not a row of it): the job fails without retries. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportFileError";
  }
}

export const REQUIRED_COLUMNS = ["sku", "name", "price_cents", "category"] as const;
export const OPTIONAL_COLUMNS = ["description", "stock"] as const;

export type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Where each column is in a record; optional columns may be absent. */
export type ColumnIndex = { [C in Column]?: number } & { count: number };

/**
 * Reads the header row. Unknown and repeated columns are refused rather than ignored: a typo
 * such as `descripton` would otherwise drop every description silently.
 */
export function readHeader(record: string[]): ColumnIndex {
  const known = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
  const index: ColumnIndex = { count: record.length };
  const problems: string[] = [];
  record.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!known.has(name)) problems.push(`unknown column "${raw}"`);
    else if (index[name as Column] !== undefined) problems.push(`column "${name}" appears twice`);
    else index[name as Column] = i;
  });
  for (const name of REQUIRED_COLUMNS) {
    if (index[name] === undefined) problems.push(`missing column "${name}"`);
  }
  if (problems.length > 0) {
    throw new ImportFileError(
      `bad header (line 1): ${problems.join("; ")}; expected ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(",")}`,
    );
  }
  return index;
}
