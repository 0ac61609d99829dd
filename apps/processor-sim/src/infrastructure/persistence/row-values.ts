// pg hands bigint and numeric columns back as strings, and timestamps as Dates: the stores turn
// them into the numbers and ISO strings the API shows.

export const num = (v: string | number | null): number => Number(v ?? 0);
export const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
