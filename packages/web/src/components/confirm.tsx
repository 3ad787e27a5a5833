import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface ConfirmRequest {
  title: string;
  body: ComponentChildren;
  /** The confirm button's text, e.g. "Revoke session". */
  confirm: string;
  /** `danger` (the default) for what cannot be undone; `primary` for a routine but weighty step. */
  tone?: 'danger' | 'primary';
}

interface Pending extends ConfirmRequest {
  resolve: (ok: boolean) => void;
}

/**
 * A modal `<dialog>` confirmation for actions that cannot be undone (revoke, rotate, delete).
 * `ask()` opens it and resolves true when confirmed, false on Cancel or Escape. Focus starts on
 * Cancel, so Enter never confirms by accident, and returns to the page when it closes.
 *
 * @example
 * const confirm = useConfirm();
 * if (await confirm.ask({ title: 'Delete client?', body: '…', confirm: 'Delete client' })) …
 * return <>{confirm.dialog}…</>;
 */
export function useConfirm(): {
  ask: (request: ConfirmRequest) => Promise<boolean>;
  dialog: preact.JSX.Element;
} {
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);

  const ask = useCallback(
    (request: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        opener.current = document.activeElement;
        setPending({ ...request, resolve });
      }),
    [],
  );

  useEffect(() => {
    const dialog = ref.current;
    if (!pending || !dialog) return;
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    cancelRef.current?.focus();
  }, [pending]);

  const close = (ok: boolean) => {
    const dialog = ref.current;
    if (dialog?.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
    pending?.resolve(ok);
    setPending(undefined);
    if (opener.current instanceof HTMLElement) opener.current.focus();
  };

  const dialog = (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        close(false);
      }}
    >
      {pending ? (
        <form
          method="dialog"
          class="confirm-form"
          onSubmit={(e) => {
            e.preventDefault();
            close(true);
          }}
        >
          <h2 id="confirm-title">{pending.title}</h2>
          <div id="confirm-body" class="confirm-body">
            {pending.body}
          </div>
          <div class="actions confirm-actions">
            <button
              ref={cancelRef}
              type="button"
              class="button button-secondary"
              data-testid="confirm-cancel"
              onClick={() => close(false)}
            >
              Cancel
            </button>
            <button
              type="submit"
              class={pending.tone === 'primary' ? 'button' : 'button button-danger'}
              data-testid="confirm-ok"
            >
              {pending.confirm}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
  return { ask, dialog };
}
