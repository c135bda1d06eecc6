import { useState } from "react";

/** Server-side paging over KFP page tokens: the current token and the way back. */
export interface PageTokens {
  pageToken: string | undefined;
  hasPrev: boolean;
  prev: () => void;
  next: (token: string | undefined) => void;
  /** Back to the first page (tokens belong to one filter: call it when the filter changes). */
  reset: () => void;
}

/** Keeps the page token of the current page and the tokens of the pages before it. */
export function usePageTokens(): PageTokens {
  const [pageToken, setPageToken] = useState<string | undefined>();
  const [history, setHistory] = useState<Array<string | undefined>>([]);
  return {
    pageToken,
    hasPrev: history.length > 0,
    prev: () => {
      setPageToken(history.at(-1));
      setHistory((h) => h.slice(0, -1));
    },
    next: (token) => {
      setHistory((h) => [...h, pageToken]);
      setPageToken(token);
    },
    reset: () => {
      setPageToken(undefined);
      setHistory([]);
    },
  };
}

/** Previous/next page buttons over KFP page tokens. */
export function Pager(props: { pages: PageTokens; nextPageToken: string | undefined }): React.JSX.Element | null {
  const { pages, nextPageToken } = props;
  const hasNext = nextPageToken !== undefined;
  if (!pages.hasPrev && !hasNext) return null;
  return (
    <div className="toolbar">
      <button type="button" className="btn btn-sm" disabled={!pages.hasPrev} onClick={pages.prev}>
        ← Previous
      </button>
      <button type="button" className="btn btn-sm" disabled={!hasNext} onClick={() => pages.next(nextPageToken)}>
        Next →
      </button>
    </div>
  );
}
