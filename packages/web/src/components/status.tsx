import type { ComponentChildren } from 'preact';
import { toChildArray } from 'preact';

export type StatusTone = 'info' | 'success' | 'error';

interface StatusProps {
  tone?: StatusTone | undefined;
  testId?: string;
  /** An error code to expose as `data-code` (for tests; people read the text). */
  code?: string | undefined;
  children?: ComponentChildren;
}

/**
 * A status line announced by screen readers. The live region is always rendered (empty when
 * there is nothing to say) so assistive tech notices when text appears in it.
 *
 * @example
 * <Status tone="error" testId="signin-error">{error}</Status>
 */
export function Status({ tone = 'info', testId, code, children }: StatusProps) {
  const empty = toChildArray(children).length === 0;
  return (
    <p
      class={`status status-${tone}${empty ? ' status-empty' : ''}`}
      role={tone === 'error' ? 'alert' : 'status'}
      aria-live={tone === 'error' ? 'assertive' : 'polite'}
      data-testid={testId}
      data-code={empty ? undefined : code}
    >
      {children}
    </p>
  );
}
