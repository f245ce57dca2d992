const count = new Intl.NumberFormat('en');

/** The rows of a page as numbers (`0`-based page), for supabase-js `.range(from, to)`. */
export const pageRange = (page: number, pageSize: number): [number, number] => [page * pageSize, page * pageSize + pageSize - 1];

/** "Rows 51–100 of 1,234" with Previous and Next: every list pages on the server (LS1). */
export function Pager({ page, pageSize, total, label, onPage }: { page: number; pageSize: number; total: number | null; label: string; onPage(page: number): void }) {
  if (total === null) return null;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="pager__count" data-testid="pager-count" data-total={total}>
        {total === 0 ? 'No rows' : `Rows ${count.format(first)}–${count.format(last)} of ${count.format(total)}`}
      </span>
      <button type="button" className="button button--secondary button--small" onClick={() => onPage(page - 1)} disabled={page === 0}>
        Previous
      </button>
      <span className="muted">
        Page {page + 1} of {pages}
      </span>
      <button type="button" className="button button--secondary button--small" onClick={() => onPage(page + 1)} disabled={page + 1 >= pages}>
        Next
      </button>
    </nav>
  );
}
