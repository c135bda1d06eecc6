/**
 * A button that asks before it acts: a modal dialog says what will happen, and the action
 * runs only on "confirm". A failed action keeps the dialog open with the server's words.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ErrorAlert } from "./ui.tsx";

/** A button that opens a confirm dialog; `onConfirm` runs when the user confirms. */
export function ConfirmButton(props: {
  /** The button's text. */
  label: string;
  /** The dialog's title, e.g. "Delete this run?". */
  title: string;
  /** What will happen, in words. */
  message: ReactNode;
  /** The confirm button's text (default: the label). */
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  /** Why the button is disabled, shown as its tooltip. */
  disabledReason?: string | undefined;
  className?: string;
  onConfirm: () => Promise<unknown>;
  /** Runs after a successful action (the dialog is closed). */
  onDone?: () => void;
}): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const titleId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    cancelRef.current?.focus();
    const key = (e: KeyboardEvent): void => {
      if (e.key === "Escape" && !busy) setOpen(false);
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [open, busy]);
  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      setOpen(false);
      props.onDone?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={props.className ?? `btn${props.danger ? " btn-danger" : ""}`}
        disabled={props.disabled}
        title={props.disabled ? props.disabledReason : undefined}
        onClick={() => {
          setError(undefined);
          setOpen(true);
        }}
      >
        {props.label}
      </button>
      {open ? (
        <div className="modal-backdrop">
          <div className="modal card" role="dialog" aria-modal="true" aria-labelledby={titleId}>
            <div className="card-body" style={{ display: "grid", gap: 12 }}>
              <h2 id={titleId} className="modal-title">
                {props.title}
              </h2>
              <div>{props.message}</div>
              {error ? <ErrorAlert error={error} /> : null}
              <div className="toolbar" style={{ justifyContent: "flex-end" }}>
                <button ref={cancelRef} type="button" className="btn" disabled={busy} onClick={() => setOpen(false)}>
                  Cancel
                </button>
                <button
                  type="button"
                  className={`btn ${props.danger ? "btn-danger" : "btn-primary"}`}
                  disabled={busy}
                  onClick={() => void confirm()}
                  data-testid="confirm-action"
                >
                  {busy ? "Working…" : (props.confirmLabel ?? props.label)}
                </button>
              </div>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
