import { visit, type DocumentNode } from 'graphql';

/**
 * C0 and C1 controls, DEL, and the Unicode line and paragraph separators: nothing a name, an
 * address, an id or an email needs, and each can break a log line or a file built from it.
 */
// A tab is let through: people paste it between a postcode's halves, the schemas fold it with
// other whitespace, and it cannot split a log line.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

function badPathIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = badPathIn(value[index], `${path}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = badPathIn(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The first text input of a request holding a control character, as a field path (`input.name`
 * for a variable, the argument's name for a literal), or undefined. Every string counts, in the
 * variables and in the document's literals, whatever type or module it is for.
 */
export function findControlCharacter(
  document: DocumentNode,
  variables: Record<string, unknown>,
): string | undefined {
  for (const [name, value] of Object.entries(variables)) {
    const found = badPathIn(value, name);
    if (found) return found;
  }
  if (!literalsChecked.has(document)) literalsChecked.set(document, badLiteralIn(document));
  return literalsChecked.get(document);
}

/**
 * What `badLiteralIn` found for each document: Apollo keeps one parsed document per query text,
 * so a document sent again is not walked again.
 */
const literalsChecked = new WeakMap<DocumentNode, string | undefined>();

function badLiteralIn(document: DocumentNode): string | undefined {
  let found: string | undefined;
  const names: string[] = [];
  visit(document, {
    Argument: {
      enter: (node) => void names.push(node.name.value),
      leave: () => void names.pop(),
    },
    ObjectField: {
      enter: (node) => void names.push(node.name.value),
      leave: () => void names.pop(),
    },
    StringValue(node) {
      if (!found && CONTROL_CHARACTER.test(node.value)) found = names.join('.') || 'query';
    },
  });
  return found;
}
