import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface PageProps {
  title: string;
  testId: string;
  intro?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * A page: sets the document title and moves focus to its heading when it opens, so keyboard
 * and screen-reader users land at the start of the new content.
 */
export function Page({ title, testId, intro, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Hotel Keycard`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <section class="page" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <h1 id={`${testId}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {intro ? <p class="lead">{intro}</p> : null}
      {children}
    </section>
  );
}
