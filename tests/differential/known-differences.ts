/**
 * The one list of deliberate differences between millrace and PostgreSQL 15 that the differential
 * test knows about (mirrored in docs/sql-reference.md, "Differences from PostgreSQL").
 *
 * Each entry says why millrace differs and how the test keeps clear of it: the query generator does
 * not produce the construct in its differing form (`avoidedBy`). Nothing here excuses a mismatch
 * after the fact: every query the generator writes must agree exactly.
 */
export interface KnownDifference {
  readonly id: string;
  readonly what: string;
  readonly reason: string;
  readonly avoidedBy: string;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'avg-sum-integer',
    what: 'AVG of an integer column is an integer (truncated); SUM of INT is INT rather than BIGINT.',
    reason: 'millrace follows Flink SQL typing of aggregates.',
    avoidedBy: 'AVG only over DOUBLE PRECISION (or a cast to it); SUM only over values that cannot overflow INT.',
  },
  {
    id: 'decimal-scale-by-type',
    what: 'DECIMAL division and AVG of DECIMAL have the scale max(16, s1, s2) fixed by the operand types; PostgreSQL picks the scale from the values (e.g. 1.0/3 gives 20 digits there, 16 here).',
    reason: 'millrace values carry their scale in the column type (DECIMAL(p, s)), as in Flink; PostgreSQL numeric carries a scale per value.',
    avoidedBy: 'no DECIMAL division or AVG(DECIMAL); DECIMAL results come from + - * ROUND FLOOR CEIL ABS MOD and casts.',
  },
  {
    id: 'round-decimal-scale',
    what: 'ROUND(x, r) of a DECIMAL(p, s) with r > s keeps scale s (ROUND(1.50, 3) is 1.50); PostgreSQL pads to r digits (1.500).',
    reason: "millrace follows Flink's result type for ROUND.",
    avoidedBy: 'ROUND of DECIMAL only to at most 2 digits, the scale of every generated DECIMAL.',
  },
  {
    id: 'extract-type',
    what: 'EXTRACT returns DOUBLE (5.123), PostgreSQL 14+ returns numeric (5.123000 for SECOND, 1704067201.500000 for EPOCH).',
    reason: 'numeric results would need per-value scale (see decimal-scale-by-type).',
    avoidedBy: 'EXTRACT of integral fields, cast to INT.',
  },
  {
    id: 'date-plus-interval',
    what: 'DATE + INTERVAL is a DATE (Flink); PostgreSQL gives a timestamp.',
    reason: 'millrace follows Flink SQL.',
    avoidedBy: 'dates are cast to TIMESTAMP before interval arithmetic.',
  },
  {
    id: 'date-trunc-date',
    what: "DATE_TRUNC on a DATE gives TIMESTAMP; PostgreSQL converts the date to timestamptz and prints an offset.",
    reason: 'millrace has no timestamptz arithmetic on dates.',
    avoidedBy: 'DATE_TRUNC only on TIMESTAMP.',
  },
  {
    id: 'numeric-math-functions',
    what: 'POWER, SQRT, LN, LOG, EXP of DECIMAL compute in DOUBLE; PostgreSQL computes numeric results (1.4142135623730950 vs 1.4142135623730951).',
    reason: 'millrace has no arbitrary-precision transcendental functions.',
    avoidedBy: 'POWER and SQRT only of DOUBLE PRECISION.',
  },
  {
    id: 'power-rounding',
    what: 'POWER(x, y) of DOUBLE may differ from PostgreSQL in the last digit for exponents other than 0, 1, 2, -1 and 0.5 (221445.12499999994 vs 221445.1249999999).',
    reason: "millrace uses JavaScript's Math.pow, PostgreSQL the C library's pow(); neither promises the correctly rounded result.",
    avoidedBy: 'POWER only with the exponents 0, 1, 2, -1 and 0.5, which both compute exactly rounded.',
  },
  {
    id: 'upper-special-casing',
    what: "UPPER/LOWER use full Unicode case mapping, which may change the length: UPPER('straße') is 'STRASSE'; PostgreSQL maps character by character ('STRAßE').",
    reason: 'millrace follows Flink (Java String.toUpperCase).',
    avoidedBy: 'the generated strings have no characters whose case mapping changes the length (ß, ŉ, İ, ligatures).',
  },
  {
    id: 'exponent-literals',
    what: 'A literal with an exponent (1e308) is DOUBLE; PostgreSQL makes it numeric.',
    reason: 'millrace follows Flink SQL literal typing.',
    avoidedBy: 'no exponent literals in generated queries.',
  },
];
