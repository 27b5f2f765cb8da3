/**
 * One connection type per item type (`IncomingStatusConnection` serves the root list and the nested one
 * alike), forward pagination only, and a way to tell whether the client asked for `hasNextPage`: an exact
 * answer can cost one more upstream page, which is only fetched when someone reads it.
 */
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { builder } from './builder.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' own ref type for any output type.
type OutputRef = Parameters<typeof builder.connectionObject>[0]['type'] & any;

export function connectionOf(type: OutputRef, itemName: string, items: string) {
  return builder.connectionObject(
    {
      type,
      name: `${itemName}Connection`,
      description: `A page of ${items} (Relay connection). Pass \`pageInfo.endCursor\` as \`after\` for the next page.`,
    },
    { name: `${itemName}Edge`, description: `One of the ${items}, with its cursor.` },
  );
}

/** `first` and `after`: the only pagination the providers' newest-first page-number lists can honour. */
export const forwardPageArgs = builder.args((t) => ({
  first: t.int({
    description: `How many items to return (1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}).`,
  }),
  after: t.string({
    description: 'Return the items after this cursor (`pageInfo.endCursor` of the page before).',
  }),
}));

/** Whether the selection of this field reads `pageInfo { hasNextPage }` (through fragments too). */
export function asksHasNextPage(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) =>
    selects(node.selectionSet, ['pageInfo', 'hasNextPage'], info.fragments),
  );
}

function selects(
  set: SelectionSetNode | undefined,
  path: string[],
  fragments: Record<string, FragmentDefinitionNode>,
  depth = 0,
): boolean {
  if (!set || depth > 20) return false;
  const [head, ...rest] = path;
  return set.selections.some((selection) => {
    if (selection.kind === 'Field') {
      if (selection.name.value !== head) return false;
      return rest.length === 0 || selects((selection as FieldNode).selectionSet, rest, fragments, depth + 1);
    }
    const inner =
      selection.kind === 'InlineFragment'
        ? selection.selectionSet
        : fragments[selection.name.value]?.selectionSet;
    return selects(inner, path, fragments, depth + 1);
  });
}
