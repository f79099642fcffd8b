/**
 * The markup every self-test table and check section shares, written once so
 * that they all read alike: column headers with scope, an optional hidden
 * caption for screen readers, an optional horizontal scroll box for wide
 * tables, and a section with its heading and note.
 */
import type { ComponentProps, ReactNode } from 'react';

type TableProps = Omit<ComponentProps<'table'>, 'children' | 'className'> & {
  /** Column headers, left to right. */
  headers: readonly ReactNode[];
  /** Read by screen readers only. */
  caption?: string;
  /** Wrap in a box that scrolls sideways on a narrow screen. */
  scroll?: boolean;
  children: ReactNode;
};

export function SelftestTable({ headers, caption, scroll = false, children, ...rest }: TableProps) {
  const table = (
    <table className="selftest-table" {...rest}>
      {caption !== undefined ? <caption className="visually-hidden">{caption}</caption> : null}
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
  return scroll ? <div className="selftest-scroll">{table}</div> : table;
}

/** One check's section: heading (`${id}-title` labels it), a muted note, then the figures. */
export function CheckSection({ id, title, note, children }: { id: string; title: string; note: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p className="muted">{note}</p>
      {children}
    </section>
  );
}
