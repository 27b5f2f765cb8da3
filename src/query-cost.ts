/**
 * The query cost model: what a query may cost in upstream calls, worked out before it runs, refused above
 * a limit, and reported with what it actually cost in `extensions.cost`.
 *
 * Each field that may call a provider has a weight (`FIELD_COSTS`, documented in the README). A connection's
 * items multiply the cost of everything selected under them by `first` (default 20); `nodes(ids:)` by the
 * number of ids. The figure is an upper bound: DataLoader batching, the shared cache and in-flight sharing
 * usually make the real number far smaller, and `extensions.cost.upstreamCalls` reports it.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import type { Context } from './context.js';
import { DEFAULT_PAGE_SIZE } from './schema/pagination.js';
import { type RequestScope, bindRequestScope, runInRequestScope } from './upstream/request-scope.js';

export interface FieldCost {
  /** Upstream calls the field itself may make, each time it is resolved. */
  calls: number;
  /** A connection: what is selected under it counts `first` times. */
  paginated?: boolean;
  /** The field's calls, and what is selected under it, count once per item of this list argument. */
  perItemOf?: string;
}

/** Weights of the fields that may call a provider; every other field costs nothing. */
export const FIELD_COSTS: Record<string, FieldCost> = {
  'Query.node': { calls: 1 },
  'Query.nodes': { calls: 1, perItemOf: 'ids' },
  'Query.inboundAddresses': { calls: 1, paginated: true },
  'Query.inboundAddress': { calls: 1 },
  'Query.incomingStatuses': { calls: 1, paginated: true },
  // The event log, not a provider: no call, but `first` still multiplies what is selected under it.
  'Query.inboundEmails': { calls: 0, paginated: true },
  'Query.customDomains': { calls: 1, paginated: true },
  'Query.outboundMessages': { calls: 1, paginated: true },
  'Query.outboundMessage': { calls: 1 },
  'Query.sendingDomains': { calls: 1, paginated: true },
  'Query.sendingDomain': { calls: 1 },
  'InboundAddress.incomingStatuses': { calls: 1, paginated: true },
  'InboundAddress.customDomains': { calls: 1, paginated: true },
  'IncomingStatus.address': { calls: 1 },
  'CustomDomain.address': { calls: 1 },
  'OutboundRecipient.events': { calls: 1 },
  'SentEmail.outboundMessage': { calls: 1 },
  // Cloudflare: the DNS list, and the DNS status when `verified` is asked for.
  'SendingDomain.dnsRecords': { calls: 2 },
  'Mutation.createInboundAddress': { calls: 1 },
  'Mutation.updateInboundAddress': { calls: 2 },
  'Mutation.deleteInboundAddress': { calls: 1 },
  'Mutation.createCustomDomain': { calls: 1 },
  'Mutation.deleteCustomDomain': { calls: 1 },
  'Mutation.sendEmail': { calls: 1 },
  'Mutation.sendRawEmail': { calls: 1 },
  // The address lookup; the emulator's POST to mailgraph's own webhook is no provider call.
  'Mutation.simulateInboundEmail': { calls: 1 },
  // Cloudflare reads the zone's subdomains (usually cached) to refuse a name outside the zone.
  'Mutation.createSendingDomain': { calls: 2 },
  'Mutation.updateSendingDomain': { calls: 1 },
  'Mutation.verifySendingDomain': { calls: 1 },
  'Mutation.deleteSendingDomain': { calls: 2 },
};

export const DEFAULT_COST_LIMIT = 1000;
const MAX_WALK_DEPTH = 64;

function costOf(typeName: GraphQLNamedType, field: string): FieldCost | undefined {
  const own = FIELD_COSTS[`${typeName.name}.${field}`];
  if (own || !isObjectType(typeName)) return own;
  for (const iface of typeName.getInterfaces()) {
    const inherited = FIELD_COSTS[`${iface.name}.${field}`];
    if (inherited) return inherited;
  }
  return undefined;
}

/** The most upstream calls `operation` may make with these (coerced) variables. */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const walk = (
    set: SelectionSetNode | undefined,
    type: GraphQLNamedType,
    factor: number,
    depth: number,
  ): number => {
    if (!set || depth > MAX_WALK_DEPTH) return 0;
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        // Unions select only through fragments (below); `__typename` and leaves cost nothing.
        if (name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
        const definition = type.getFields()[name];
        if (!definition) continue;
        const spec = costOf(type, name);
        let args: Record<string, unknown> = {};
        try {
          args = getArgumentValues(definition, selection, variables);
        } catch {
          // Invalid arguments fail in execution with a clear error; they cost nothing here.
        }
        let times = 1;
        if (spec?.perItemOf) {
          const list = args[spec.perItemOf];
          times = Array.isArray(list) ? list.length : 1;
        }
        const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
        const childFactor = factor * times * (spec?.paginated ? Math.max(first, 0) : 1);
        total += (spec?.calls ?? 0) * factor * times;
        total += walk(selection.selectionSet, getNamedType(definition.type), childFactor, depth + 1);
      } else {
        const fragment =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        if (condition) total += walk(fragment.selectionSet, condition, factor, depth + 1);
      }
    }
    return total;
  };
  return walk(operation.selectionSet, root, 1, 0);
}

/**
 * Refuses an operation whose cost exceeds `limit` before it runs (400 under
 * `application/graphql-response+json`, 200 under `application/json`, as GraphQL over HTTP prescribes for a
 * request error), and reports `extensions.cost { requested limit upstreamCalls }` on every answer.
 */
export function useQueryCost(options: { limit: number }): Plugin {
  const { limit } = options;
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      const definitions = operation.variableDefinitions ?? [];
      const coerced = getVariableValues(
        args.schema,
        definitions,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (coerced.errors) {
        // The same refusal graphql-js would give, with its code: a request error (400 under the spec's type).
        setResultAndStopExecution({
          errors: coerced.errors.map(
            (error) =>
              new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { code: 'BAD_USER_INPUT', http: { status: 400, spec: true } },
              }),
          ),
        });
        return;
      }
      const requested = queryCost(args.schema, args.document, operation, coerced.coerced);
      if (requested > limit) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `This operation could cost up to ${requested} upstream calls; the limit is ${limit}. Ask for fewer items (\`first\`) or fewer nested lists.`,
              {
                nodes: [operation],
                extensions: {
                  code: 'COST_LIMIT_EXCEEDED',
                  cost: { requested, limit },
                  http: { status: 400, spec: true },
                },
              },
            ),
          ],
        });
        return;
      }
      // The client key, so that every budget gives each key its fair share (src/upstream/rate-budget.ts).
      const context = args.contextValue as Partial<Pick<Context, 'principal' | 'config'>> | undefined;
      const scope: RequestScope = {
        upstreamCalls: 0,
        principal: context?.principal,
        clientKeys: context?.config?.apiKeys.size,
      };
      if (context) bindRequestScope(context, scope);
      setExecuteFn((executionArgs) => runInRequestScope(scope, () => executeFn(executionArgs)));
      return {
        onExecuteDone({ result, setResult }) {
          if (!('data' in result) && !('errors' in result)) return;
          const cost = { requested, limit, upstreamCalls: scope.upstreamCalls };
          setResult({ ...result, extensions: { ...result.extensions, cost } });
        },
      };
    },
  };
}
