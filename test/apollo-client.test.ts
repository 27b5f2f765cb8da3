/**
 * The contract as a frontend meets it: typed documents from codegen run through Apollo Client, whose own
 * Relay-style pagination helper pages root and nested lists to their end, and whose cache needs only the
 * `possibleTypes` map codegen writes to handle every failure generically through `code`.
 */
import {
  ApolloClient,
  HttpLink,
  InMemoryCache,
  type ObservableQuery,
  type OperationVariables,
} from '@apollo/client/core/index.js';
import { relayStylePagination } from '@apollo/client/utilities/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import possibleTypes from './gql/possible-types.js';
import { type Stack, startStack } from './helpers/stack.js';

const StatusPage = graphql(`
  query ApolloStatusPage($addressId: ID!, $first: Int, $after: String) {
    incomingStatuses(addressId: $addressId, first: $first, after: $after) {
      edges { cursor node { id subject from { address name } outcome } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const AddressPage = graphql(`
  query ApolloAddressPage($first: Int, $after: String) {
    inboundAddresses(first: $first, after: $after) {
      edges { cursor node { id emailAddress } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const MissingAndBroken = graphql(`
  query ApolloFailures($missing: ID!, $broken: ID!) {
    inboundAddress(id: $missing) { id }
    incomingStatuses(addressId: $broken, first: 1) { edges { node { id } } }
  }
`);

const Send = graphql(`
  mutation ApolloSend($input: SendEmailInput!) {
    sendEmail(input: $input) {
      __typename
      ... on SendEmailPayload { replayed email { messageId to { address name } } }
      ... on Error { code message providerCode }
      ... on ValidationError { issues { path code } }
    }
  }
`);

let stack: Stack;
let client: ApolloClient<unknown>;

function newClient(): ApolloClient<unknown> {
  return new ApolloClient({
    link: new HttpLink({ uri: `${stack.url}/graphql`, fetch }),
    cache: new InMemoryCache({
      possibleTypes: possibleTypes.possibleTypes,
      typePolicies: {
        Query: {
          fields: {
            incomingStatuses: relayStylePagination(['addressId']),
            inboundAddresses: relayStylePagination(),
          },
        },
      },
    }),
  });
}

beforeAll(async () => {
  stack = await startStack();
  client = newClient();
});
afterAll(async () => {
  client.stop();
  await stack.close();
});

/** What a frontend does: `fetchMore` with `endCursor` until `hasNextPage` is false, the helper merging pages. */
async function pageToEnd<D extends Record<string, unknown>, V extends OperationVariables>(
  watch: ObservableQuery<D, V>,
  field: string,
): Promise<{ pages: number; edges: Array<{ node: { id: string } }> }> {
  // A frontend subscribes (as a hook does); the first complete result is page one.
  let subscription: { unsubscribe(): void } | undefined;
  let result = await new Promise<{ data: D }>((resolve, reject) => {
    subscription = watch.subscribe({
      next: (next) => {
        if (!next.loading && next.data) resolve(next as { data: D });
      },
      error: reject,
    });
  });
  let pages = 1;
  type Page = {
    edges: Array<{ node: { id: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string };
  };
  const pageOf = (data: D) => data[field] as Page;
  let last = pageOf(result.data);
  while (last.pageInfo.hasNextPage) {
    const more = await watch.fetchMore({
      variables: { after: last.pageInfo.endCursor } as unknown as Partial<V>,
    });
    pages += 1;
    last = pageOf(more.data);
    expect(last.edges.length, `page ${pages} is not empty`).toBeGreaterThan(0);
    if (pages > 50) throw new Error('runaway pagination');
  }
  result = watch.getCurrentResult() as { data: D };
  subscription?.unsubscribe();
  return { pages, edges: pageOf(result.data).edges };
}

describe('Apollo Client with the codegen documents', () => {
  it('pages a root list to its end with relayStylePagination: every row once, in order, no empty page', async () => {
    const addressId = DEMO_CLOUDMAILIN.addressIds.support;
    const expected = stack.sandbox.cloudmailin.statuses(addressId).map((status) => status.id);
    const watch = client.watchQuery({ query: StatusPage, variables: { addressId, first: 7 } });
    const { pages, edges } = await pageToEnd(watch, 'incomingStatuses');
    expect(pages).toBe(Math.ceil(expected.length / 7));
    const ids = edges.map((edge) => Buffer.from(edge.node.id, 'base64').toString().split('/')[1]);
    expect(ids).toEqual(expected);
  });

  it('pages the address list (no upstream paging) the same way', async () => {
    const watch = client.watchQuery({ query: AddressPage, variables: { first: 1 } });
    const { edges } = await pageToEnd(watch, 'inboundAddresses');
    expect(edges.map((edge) => edge.node.id)).toHaveLength(stack.sandbox.cloudmailin.addresses().length);
  });

  it('tells a missing object (null) from a failed read (an error with a code), with errorPolicy all', async () => {
    const result = await client.query({
      query: MissingAndBroken,
      variables: { missing: 'ffffffffffffffffffff', broken: '../../etc' },
      errorPolicy: 'all',
      // relayStylePagination reads a missing list back as an empty one; the raw answer says null.
      fetchPolicy: 'no-cache',
    });
    expect(result.data?.inboundAddress).toBeNull();
    expect(result.data?.incomingStatuses).toBeNull();
    const codes = (result.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]);
    expect(codes).toEqual([['incomingStatuses', 'VALIDATION_FAILED']]);
  });

  it('handles every mutation failure through `... on Error { code }`, thanks to possibleTypes', async () => {
    const refused = await client.mutate({
      mutation: Send,
      variables: {
        input: {
          provider: 'CLOUDMAILIN',
          from: { email: 'hello@example.com' },
          to: [{ email: 'not-an-address' }],
          bcc: [{ email: 'audit@example.com' }],
          subject: 'x',
          text: 'y',
        },
      },
    });
    const failure = refused.data?.sendEmail;
    expect(failure?.__typename).toBe('ValidationError');
    // Read generically, as a client does for any failure, not by typename.
    const generic = failure as {
      code?: string;
      message?: string;
      issues?: Array<{ path: string; code: string }>;
    };
    expect(generic.code).toBe('VALIDATION_FAILED');
    expect(generic.message).toMatch(/2 problems/);
    expect(generic.issues).toEqual([
      { __typename: 'ValidationIssue', path: 'input.bcc', code: 'UNSUPPORTED_FIELD' },
      { __typename: 'ValidationIssue', path: 'input.to.0.email', code: 'INVALID' },
    ]);

    const input = {
      provider: 'CLOUDMAILIN' as const,
      from: { email: 'hello@example.com', name: 'Demo' },
      to: [{ email: 'alice@example.net', name: 'Alice Example' }],
      subject: 'Apollo',
      text: 'Sent through Apollo Client.',
      idempotencyKey: 'apollo-1',
    };
    const first = await client.mutate({ mutation: Send, variables: { input } });
    const again = await client.mutate({ mutation: Send, variables: { input } });
    const sent = first.data?.sendEmail;
    const replay = again.data?.sendEmail;
    if (sent?.__typename !== 'SendEmailPayload' || replay?.__typename !== 'SendEmailPayload') {
      throw new Error(`expected two payloads, got ${JSON.stringify([sent, replay])}`);
    }
    expect(sent.replayed).toBe(false);
    expect(replay.replayed).toBe(true);
    expect(replay.email.messageId).toBe(sent.email.messageId);
    expect(sent.email.to).toEqual([
      { __typename: 'EmailAddress', address: 'alice@example.net', name: 'Alice Example' },
    ]);
  });
});
