// TypeDoc plugin for the keycard API reference: the "." export of a package with subpath exports
// (e.g. @keycard/guard next to @keycard/guard/express) comes out of TypeDoc without a name; call it
// by the import specifier people write, `index`.
import { Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const child of context.project.children ?? []) if (child.name === '') child.name = 'index';
  });
}
