/**
 * Splits SQL text into statements and masks what the pinning rules must not read: string literals, quoted
 * identifiers and comments. A rule looking for `nextval(` must not fire on `select 'nextval('` or on a comment,
 * and `BEGIN; SET LOCAL …` is two statements. Not a parser: a lexer that knows each dialect's quoting.
 */

/** The SQL dialect of a statement: quoting and comments differ. */
export type SqlDialect = 'postgres' | 'mysql';

/** One statement of a query string. */
export interface SqlStatementText {
  /** The statement as sent, trimmed (for reports). */
  readonly text: string;
  /**
   * Lower-cased, whitespace collapsed, literals emptied (`'abc'` → `''`), quoted identifiers emptied, comments
   * removed. MySQL executable comments keep their content: the server runs it.
   */
  readonly masked: string;
  /** MySQL/MariaDB only: the statement carries an executable comment (`/*! … *\/` or `/*M! … *\/`). */
  readonly executableComment: boolean;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Index just after the quote that closes a literal opened at `start` (doubled quotes escape; `backslash` too if set). */
function skipQuoted(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** PostgreSQL block comments nest (`/* /* *\/ *\/`); MySQL's do not. */
function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 1;
  let i = start + 2;
  while (i < sql.length && depth > 0) {
    if (nested && sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
    } else {
      i++;
    }
  }
  return i;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

/** `$tag$` opening a PostgreSQL dollar-quoted string at `i`, or undefined (`$1` is a parameter, not a tag). */
function dollarTag(sql: string, i: number): string | undefined {
  if (i > 0 && IDENTIFIER_CHAR.test(sql[i - 1])) return undefined;
  const match = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64));
  return match ? match[0] : undefined;
}

/** Splits `sql` on top-level semicolons and masks literals, quoted identifiers and comments. */
export function splitStatements(original: string, dialect: SqlDialect): SqlStatementText[] {
  // Executable-comment markers are blanked in place (same length), so offsets into `sql` are offsets into `original`.
  let sql = original;
  const statements: SqlStatementText[] = [];
  let masked = '';
  let start = 0;
  let executableComment = false;
  const finish = (end: number) => {
    const text = original.slice(start, end).trim();
    const normalized = masked.replace(/\s+/g, ' ').trim().toLowerCase();
    if (normalized.length > 0) statements.push({ text, masked: normalized, executableComment });
    masked = '';
    executableComment = false;
  };

  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === ';') {
      finish(i);
      start = i + 1;
      i++;
    } else if (c === "'" || (dialect === 'mysql' && c === '"')) {
      const escapePrefix = dialect === 'postgres' && i > 0 && /[eE]/.test(sql[i - 1]) && !(i > 1 && IDENTIFIER_CHAR.test(sql[i - 2]));
      i = skipQuoted(sql, i, c, dialect === 'mysql' || escapePrefix);
      masked += `${c}${c}`;
    } else if (c === '"' || (dialect === 'mysql' && c === '`')) {
      i = skipQuoted(sql, i, c, false);
      masked += `${c}${c}`;
    } else if (c === '-' && next === '-' && (dialect === 'postgres' || /\s/.test(sql[i + 2] ?? ' '))) {
      i = lineEnd(sql, i);
      masked += ' ';
    } else if (dialect === 'mysql' && c === '#') {
      i = lineEnd(sql, i);
      masked += ' ';
    } else if (c === '/' && next === '*') {
      const executable = dialect === 'mysql' ? /^\/\*(!|M!)\d*/.exec(sql.slice(i, i + 16)) : null;
      if (executable) {
        // The server runs the content: keep it for the rules, drop only the markers.
        executableComment = true;
        const end = sql.indexOf('*/', i + executable[0].length);
        sql = `${sql.slice(0, i)}${' '.repeat(executable[0].length)}${end === -1 ? sql.slice(i + executable[0].length) : `${sql.slice(i + executable[0].length, end)}  ${sql.slice(end + 2)}`}`;
        continue;
      }
      i = skipBlockComment(sql, i, dialect === 'postgres');
      masked += ' ';
    } else if (dialect === 'postgres' && c === '$' && dollarTag(sql, i)) {
      const tag = dollarTag(sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? sql.length : end + tag.length;
      masked += "''";
    } else {
      masked += c;
      i++;
    }
  }
  finish(sql.length);
  return statements;
}
