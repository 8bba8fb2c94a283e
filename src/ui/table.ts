import Table from 'cli-table3';

/** Renders rows as a table; borders only on a TTY so piped output stays greppable. */
export function renderTable(head: string[], rows: string[][], tty: boolean): string {
  const table = tty
    ? new Table({ head, style: { head: [], border: [] }, wordWrap: true })
    : new Table({
        head,
        chars: {
          top: '',
          'top-mid': '',
          'top-left': '',
          'top-right': '',
          bottom: '',
          'bottom-mid': '',
          'bottom-left': '',
          'bottom-right': '',
          left: '',
          'left-mid': '',
          mid: '',
          'mid-mid': '',
          right: '',
          'right-mid': '',
          middle: '  ',
        },
        style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      });
  table.push(...rows);
  return table.toString();
}
