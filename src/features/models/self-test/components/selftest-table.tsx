/**
 * What every self-test table and check section shares: the app's DataTable
 * with the self-test's look and a caption for screen readers only, an
 * optional horizontal scroll box for wide tables, and a section with its
 * heading and note.
 */
import type { ReactNode } from 'react';
import { DataTable, type DataTableProps } from '../../../../ui/data-table';

type TableProps = Omit<DataTableProps, 'className' | 'hiddenCaption' | 'caption'> & {
  /** Read by screen readers only. */
  caption?: string;
  /** Wrap in a box that scrolls sideways on a narrow screen. */
  scroll?: boolean;
};

export function SelftestTable({ scroll = false, ...props }: TableProps) {
  const table = <DataTable className="selftest-table" hiddenCaption {...props} />;
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
