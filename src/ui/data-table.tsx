/**
 * The table markup every screen shares: column headers with scope="col", an
 * optional caption (visible, or for screen readers only), and the rows the
 * caller renders. One place, so every data table reads the same to a screen
 * reader; each screen keeps its own class for its look.
 */
import type { ComponentProps, ReactNode } from 'react';

export type DataTableProps = Omit<ComponentProps<'table'>, 'children'> & {
  /** Column headers, left to right (null for an untitled column, e.g. actions). */
  headers: readonly ReactNode[];
  caption?: ReactNode;
  /** Keep the caption for screen readers only. */
  hiddenCaption?: boolean;
  children: ReactNode;
};

export function DataTable({ headers, caption, hiddenCaption = false, children, ...rest }: DataTableProps) {
  return (
    <table {...rest}>
      {caption !== undefined ? <caption className={hiddenCaption ? 'visually-hidden' : undefined}>{caption}</caption> : null}
      <thead>
        <tr>
          {headers.map((header, i) => (
            <th scope="col" key={i}>
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
