import type { ComponentChildren } from 'preact';

export interface Column {
  label: string;
  /** Read by screen readers only (e.g. the actions column). */
  hidden?: boolean;
}

interface TableProps {
  testId: string;
  columns: (string | Column)[];
  busy?: boolean;
  /** Shown in one full-width row when there are no rows (and the table is not loading). */
  empty?: string | undefined;
  isEmpty?: boolean;
  children: ComponentChildren;
}

/**
 * The one data table of the account and admin pages. Wide screens get a plain table that fits its
 * card (long values wrap); narrow screens stack each row into a small card with the column labels
 * (from each {@link Cell}'s `label`), so nothing scrolls sideways.
 */
export function Table({ testId, columns, busy = false, empty, isEmpty = false, children }: TableProps) {
  const cols = columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  return (
    <div class="table-wrap">
      <table class="table" data-testid={testId} aria-busy={busy}>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col" key={c.label}>
                {c.hidden ? <span class="visually-hidden">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {isEmpty && !busy && empty ? (
            <tr class="table-empty">
              <td colSpan={cols.length} class="muted">
                {empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

interface CellProps {
  /** The column's label, shown beside the value when rows are stacked on a narrow screen. */
  label: string;
  /** The row's header cell (`<th scope="row">`). */
  header?: boolean;
  /** The actions cell: buttons, right-aligned. */
  actions?: boolean;
  /** Long unbroken values (ids, keys) may break anywhere rather than widen the table. */
  wrap?: boolean;
  title?: string | undefined;
  children?: ComponentChildren;
}

/** One cell of a {@link Table} row. */
export function Cell({ label, header = false, actions = false, wrap = false, title, children }: CellProps) {
  const cls = actions ? 'cell-actions' : wrap ? 'cell-wrap' : undefined;
  if (header) {
    return (
      <th scope="row" data-label={label} class={cls} title={title}>
        <div class="cell-value">{children}</div>
      </th>
    );
  }
  return (
    <td data-label={label} class={cls} title={title}>
      <div class="cell-value">{children}</div>
    </td>
  );
}
