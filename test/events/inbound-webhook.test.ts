/**
 * CloudMailin's inbound webhook on a real listening server: every sample of the provider references
 * (json+n and multipart+n, attachments inline and by URL, the documented envelope extensions and scan
 * results) is accepted and decoded field by field; the same mail posted again is stored once; requests
 * that are really bad get the 4xx CloudMailin bounces on, with nothing stored; and a mail that could not
 * be stored (the log or the blob store failing) gets the 5xx that makes the sender retry.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, LmdbBlobStore, blobKey } from '../../src/events/inbound-blobs.js';
import { INLINE_PART_BYTES, type InboundEmailPayload, inboundFromJson } from '../../src/events/inbound.js';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import type { EventLog, StoredEvent } from '../../src/events/log.js';
import { type WebhookDeps, handleWebhook } from '../../src/events/webhooks.js';
import { fixturePath } from '../helpers/fixtures.js';

const AUTH = `Basic ${Buffer.from('cloudmailin:secret-0123').toString('base64')}`;
const MAX_BYTES = 256 * 1024;
const ADDRESS = 'aaaa740b4c5c37b1aaaa';
const OTHER_ADDRESS = 'bbbb740b4c5c37b1bbbb';
const PATH = '/webhooks/cloudmailin/inbound';

let dir: string;
let log: EventLog;
let blobs: BlobStore;
let server: Server;
let url: string;
let failing: 'log' | 'blobs' | null = null;
const hooked: StoredEvent[][] = [];

/** Lets a store be made to fail, to see the 5xx that makes the sending server retry. */
function failable<T extends object>(target: T, method: string, when: typeof failing): T {
  return new Proxy(target, {
    get(inner, key) {
      if (key === method && failing === when) return async () => Promise.reject(new Error('disk full'));
      const value = Reflect.get(inner, key);
      return typeof value === 'function' ? value.bind(inner) : value;
    },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailgraph-inbound-'));
  log = failable(new LmdbEventLog(join(dir, 'events'), { retentionMs: 3_600_000 }), 'append', 'log');
  blobs = failable(new LmdbBlobStore(join(dir, 'blobs'), { retentionMs: 3_600_000 }), 'put', 'blobs');
  const deps: WebhookDeps = {
    log,
    blobs,
    credentials: [{ user: 'cloudmailin', pass: 'secret-0123' }],
    maxBytes: MAX_BYTES,
    onStored: (_provider, _stored, _duplicates, events) => {
      hooked.push(events);
    },
  };
  server = createServer(
    (req, res) => void handleWebhook(deps, (req.url ?? '/').split('?')[0] as string, req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await log.close();
  await blobs.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(
  body: string | Buffer | ReadableStream<Uint8Array>,
  options: { query?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${url}${PATH}${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...options.headers },
    body: typeof body === 'string' || body instanceof ReadableStream ? body : new Uint8Array(body),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown> | null,
  };
}

const json = (name: string) => readFileSync(fixturePath(`cloudmailin/inbound/${name}`), 'utf8');
const sample = (name: string) => JSON.parse(json(name)) as Record<string, unknown>;

/**
 * A multipart sample as wire data (SOURCE.md: "normalise it before using it as a wire fixture"): CRLF
 * line endings, the docs' stray blank line before a part's headers removed, and the closing delimiter
 * added where the docs' snippet stops short of it.
 */
function multipartSample(name: string): Buffer {
  let text = readFileSync(fixturePath(`cloudmailin/inbound/${name}`), 'utf8').replace(/\n+$/, '');
  text = text.replace(/^(------cloudmailinboundry)\n\n(Content-Disposition)/gm, '$1\n$2');
  if (!text.endsWith('------cloudmailinboundry--')) text += '\n------cloudmailinboundry--';
  return Buffer.from(`${text.replace(/\r?\n/g, '\r\n')}\r\n`);
}

const MULTIPART = { 'content-type': 'multipart/form-data; boundary=----cloudmailinboundry' };

async function storedMails(): Promise<StoredEvent[]> {
  return log.read({ topic: 'inbound', limit: 10_000 });
}

async function stored(position: unknown): Promise<StoredEvent & { payload: InboundEmailPayload }> {
  const [before] = await log.read({
    topic: 'inbound',
    after: String(position),
    direction: 'backward',
    limit: 1,
  });
  const [event] = await log.read({ topic: 'inbound', after: before?.position ?? null, limit: 1 });
  expect(event?.position).toBe(position);
  return event as StoredEvent & { payload: InboundEmailPayload };
}

const testfile = { base64: 'dGVzdGZpbGU=', bytes: 8 };
const testfileSha = blobKey(Buffer.from('testfile'));

describe('CloudMailin inbound webhook: the provider samples', () => {
  it('decodes the json+n docs example (headers, envelope, bodies, embedded attachments) and stores a redelivery once', async () => {
    const body = json('json-normalized-docs-example.json');
    const first = await post(body, { query: `?address=${ADDRESS}` });
    expect(first).toMatchObject({ status: 200, body: { stored: 1, duplicates: 0 } });
    const mail = await stored(first.body?.position);
    expect(mail.type).toBe('inbound_email');
    expect(mail.topics).toEqual(['all', 'inbound', 'provider:CLOUDMAILIN', `address:${ADDRESS}`]);
    expect(mail.dedupeKey).toMatch(/^cloudmailin:inbound:/);
    const p = mail.payload;
    expect(p).toMatchObject({
      provider: 'CLOUDMAILIN',
      format: 'json+n',
      addressId: ADDRESS,
      messageId: '4F145791.8040802@example.com',
      subject: 'Test Subject',
      date: '2012-01-16T17:00:01.000Z',
      from: 'Message Sender <sender@example.com>',
      to: 'Message Recipient<to@example.co.uk>',
      plain: { text: 'Test with HTML.' },
      replyPlain: { text: 'Message reply if found.' },
      envelope: {
        to: 'to@example.com',
        from: 'from@example.com',
        recipients: ['to@example.com', 'another@example.com'],
        heloDomain: 'localhost',
        remoteIp: '127.0.0.1',
        spf: { result: 'pass', domain: 'example.com' },
        tls: true,
        tlsCipher: null,
        dkim: null,
        dmarc: null,
        spam: null,
      },
    });
    expect((p.html as { text: string }).text).toContain(
      'Test with <span style="font-weight: bold;">HTML</span>.',
    );
    expect(p.headers.filter(([name]) => name === 'received').map(([, value]) => value.slice(0, 20))).toEqual([
      'by 10.52.90.229 with',
      'by 10.216.131.153 wi',
      'from mail-wi0-f170.g',
    ]);
    expect(p.headers.map(([name]) => name)).toEqual([
      'return_path',
      'received',
      'received',
      'received',
      'date',
      'from',
      'to',
      'message_id',
      'subject',
      'mime_version',
      'content_type',
      'delivered_to',
      'received_spf',
      'authentication_results',
      'user_agent',
    ]);
    expect(p.attachments).toEqual([
      {
        fileName: 'file.txt',
        contentType: 'text/plain',
        size: 8,
        disposition: 'attachment',
        contentId: null,
        url: null,
        scan: null,
        sha256: testfileSha,
        content: testfile,
      },
      {
        fileName: 'file.txt',
        contentType: 'text/plain',
        size: 8,
        disposition: 'attachment',
        contentId: null,
        url: null,
        scan: null,
        sha256: testfileSha,
        content: testfile,
      },
    ]);

    const count = (await storedMails()).length;
    const again = await post(body, { query: `?address=${ADDRESS}` });
    expect(again).toEqual({
      status: 200,
      body: { stored: 0, duplicates: 1, position: first.body?.position },
    });
    expect((await storedMails()).length).toBe(count);
    // The hook hears of the redelivery too: CloudMailin lists a status for every POST.
    expect(hooked.at(-1)?.map((event) => event.position)).toEqual([first.body?.position]);
  });

  it('decodes the cloudmailin-go fixture: size as a string, content id, scan, TLS cipher, store URL, spam check', async () => {
    const response = await post(json('json-normalized-go-fixture.json'));
    expect(response.status).toBe(200);
    const p = (await stored(response.body?.position)).payload;
    // `postman@cloudmailin.net` names no address id, and no `?address=` was given.
    expect(p.addressId).toBeNull();
    expect(p).toMatchObject({
      messageId: 'CALazKR8Zr8Lsv+SUAeuaL-vrhWSCK36TRU8=7HjsenxwaP9ZbA@mail.gmail.com',
      subject: 'Test Email',
      from: 'Steve Smith <test@example.com>',
      date: '2020-07-08T09:44:51.000Z',
      replyPlain: { text: 'Test Content\n' },
      html: { text: '<div dir="ltr">Test Content<div><br></div></div>\n' },
      envelope: {
        to: 'postman@cloudmailin.net',
        recipients: ['postman@cloudmailin.net'],
        from: 'from+test@cloudmailin.net',
        heloDomain: 'cloudmailin.net',
        remoteIp: '172.20.0.18',
        tls: true,
        tlsCipher: 'TLSv1.3',
        spf: { result: 'fail', domain: 'cloudmailin.net' },
        storeUrl:
          'http://example.s3.amazonaws.com/store/2020_10_22_09_55_18_ce5f9a939358ba89b80acd97f737e0db.eml',
        spam: {
          score: 2.5,
          success: true,
          symbols: ['BAYES_50', 'HTML_MESSAGE'],
          description: 'SpamAssassin score',
          report: null,
        },
      },
    });
    expect((p.plain as { text: string }).text).toContain(
      '> On 08 Jul 2020 at 10:00, example@cloudmailin.net wrote:',
    );
    expect(p.headers.filter(([name]) => name === 'received').map(([, value]) => value)).toEqual([
      'by mail-qv1-f65.google.com with SMTP id p7so20148692qvl.4        for <postman@cloudmailin.net>; Wed, 08 Jul 2020 02:45:03 -0700',
      'by localhost',
    ]);
    // Header values are one line: the tab of a folded header is a space.
    const state = p.headers.find(([name]) => name === 'x_gm_message_state')?.[1];
    expect(state).toMatch(/^AOAM5330S16AteaaevVXyweOWntrmI2dEDFTXJ\/4U3RSko0V8zbxxS7A yjPxcdn/);
    const pixel = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP0rdr1HwAFHwKCk87e6gAAAABJRU5ErkJggg==',
      'base64',
    );
    expect(p.attachments).toEqual([
      {
        fileName: 'pixel.png',
        contentType: 'image/png',
        size: 37135,
        disposition: 'attachment',
        contentId: '<f_kcd6ejvs1>',
        url: null,
        scan: {
          status: 'ok',
          id: 'b1a187b7-bd22-406a-8c1a-f532a0ce5ba6',
          matches: ['Example Match'],
          fileName: 'pixel.png',
          contentLength: 7,
          md5: '9a0364b9e99bb480dd25e1f0284c8555',
          sha256: 'ed7002b439e9ac845f22357d822bac1444730fbdb6016d3ec9432297b9ec9f73',
          createdAt: null,
          url: null,
        },
        sha256: blobKey(pixel),
        content: { base64: pixel.toString('base64'), bytes: pixel.length },
      },
    ]);
  });

  it('takes URL attachments (attachment store): metadata and URL, no content', async () => {
    const response = await post(json('json-normalized-url-attachments-snippet.json'), {
      query: `?address=${ADDRESS}`,
    });
    expect(response.status).toBe(200);
    const p = (await stored(response.body?.position)).payload;
    expect(
      p.attachments.map(({ fileName, url, size, content, sha256 }) => ({
        fileName,
        url,
        size,
        content,
        sha256,
      })),
    ).toEqual([
      { fileName: 'file1.txt', url: 'http://example.com/file1.txt', size: 8, content: null, sha256: null },
      { fileName: 'file2.txt', url: 'http://example.com/file2.txt', size: 8, content: null, sha256: null },
    ]);
  });

  it('decodes every documented envelope extension (DKIM, DMARC, spamd variants, store URL) and scan result', async () => {
    const extensions = sample('envelope-extensions-docs.json');
    const { scan_result: scanResult } = sample('attachment-scan-result-docs.json');
    const docs = sample('json-normalized-docs-example.json');
    const envelope = docs.envelope as Record<string, unknown>;
    const decoded = ['spamd_default', 'spamd_with_symbols', 'spamd_with_response'].map((variant) =>
      inboundFromJson({
        ...docs,
        envelope: {
          ...envelope,
          dkim: extensions.dkim,
          dmarc: extensions.dmarc,
          spamd: extensions[variant],
          store_url: extensions.store_url,
        },
      }),
    );
    expect(decoded.map((mail) => mail.envelope.spam)).toEqual([
      { score: 1.1, success: true, symbols: [], description: null, report: null },
      {
        score: 1.1,
        success: true,
        symbols: ['ALL_TRUSTED', 'DATE_IN_PAST_96_XX', 'HTML_MESSAGE'],
        description: null,
        report: null,
      },
      {
        score: 1.1,
        success: true,
        symbols: [],
        description: null,
        report: (extensions.spamd_with_response as { response: string }).response,
      },
    ]);
    // Posted (with a scanned attachment), the same decoding is what is stored.
    const body = {
      ...docs,
      headers: { ...(docs.headers as object), message_id: '<extensions@example.com>' },
      envelope: {
        ...envelope,
        dkim: extensions.dkim,
        dmarc: extensions.dmarc,
        spamd: extensions.spamd_with_symbols,
        store_url: extensions.store_url,
      },
      attachments: [
        {
          file_name: 'eicar.com.txt',
          content_type: 'text/plain',
          size: 68,
          url: 'https://yourbucket.s3.amazonaws.com/eicar.com.txt',
          scan_result: scanResult,
        },
      ],
    };
    const response = await post(JSON.stringify(body), { query: `?address=${ADDRESS}` });
    expect(response.status).toBe(200);
    const p = (await stored(response.body?.position)).payload;
    expect(p.envelope).toMatchObject({
      dkim: {
        success: true,
        results: [{ result: 'pass', domain: 'cloudmailin.net', selector: 'selector1' }],
      },
      dmarc: {
        success: true,
        result: 'pass',
        domain: 'cloudmailin.net',
        policy: 'quarantine',
        spfResult: 'pass',
        dmarcSpfResult: 'pass',
        dmarcDkimResult: 'pass',
        dkimResults: [{ result: 'pass', domain: 'cloudmailin.net', selector: 'selector1' }],
      },
      spam: { score: 1.1, symbols: ['ALL_TRUSTED', 'DATE_IN_PAST_96_XX', 'HTML_MESSAGE'] },
      storeUrl: 'https://example.s3.amazonaws.com/2021_12_01_00_00_00_a8ed6a3f7aeb93ce726b9dd2dea9eb53.eml',
    });
    expect(p.attachments[0]?.scan).toEqual({
      status: 'found',
      id: 'ed157434-a8ec-4e91-9e27-16f2af5cb17d',
      matches: ['Eicar-Test-Signature'],
      fileName: 'eicar.com.txt',
      contentLength: 68,
      md5: '44d88612fea8a8f36de82e1278abb02f',
      sha256: null,
      createdAt: '2017-02-20T11:34:03+00:00',
      url: 'https://yourbucket.s3.amazonaws.com/eicar.com.txt',
    });
  });

  it('decodes the multipart+n docs example (bracketed fields, file parts), the same mail as its JSON twin', async () => {
    const body = multipartSample('multipart-normalized-docs-example.txt');
    const response = await post(body, { query: `?address=${OTHER_ADDRESS}`, headers: MULTIPART });
    expect(response).toMatchObject({ status: 200, body: { stored: 1, duplicates: 0 } });
    const p = (await stored(response.body?.position)).payload;
    expect(p).toMatchObject({
      format: 'multipart+n',
      addressId: OTHER_ADDRESS,
      messageId: '4F145791.8040802@example.com',
      subject: 'Test Subject',
      date: '2012-01-16T17:00:01.000Z',
      from: 'Message Sender <sender@example.com>',
      to: 'Message Recipient <to@example.com>',
      plain: { text: 'Test with HTML.' },
      replyPlain: { text: 'Message reply if found.' },
      envelope: {
        to: 'to@example.com',
        from: 'from@example.com',
        recipients: ['to@example.com'],
        heloDomain: 'localhost',
        remoteIp: '127.0.0.1',
        spf: { result: 'pass', domain: 'example.com' },
        tls: true,
      },
    });
    expect((p.html as { text: string }).text).toMatch(/^<html><head>\r?\n<meta/);
    expect(p.headers[0]).toEqual(['return_path', 'from@example.com']);
    expect(p.headers.filter(([name]) => name === 'received').map(([, value]) => value.slice(0, 20))).toEqual([
      'by 10.52.90.229 with',
      'by 10.216.131.153 wi',
      'from mail-wi0-f170.g',
    ]);
    expect(p.attachments).toEqual(
      ['file1.txt', 'file2.txt'].map((fileName) => ({
        fileName,
        contentType: 'text/plain',
        size: 8,
        disposition: null,
        contentId: null,
        url: null,
        scan: null,
        sha256: testfileSha,
        content: testfile,
      })),
    );
    // Posted in the other format to the address that has it, it is the same mail: stored once.
    expect((await post(body, { query: `?address=${ADDRESS}`, headers: MULTIPART })).body).toMatchObject({
      stored: 0,
      duplicates: 1,
    });
  });

  it('takes embedded files named `attachments` too, and URL attachments as bracketed fields', async () => {
    const named = multipartSample('multipart-normalized-docs-example.txt')
      .toString()
      .replaceAll('name="attachments[]"', 'name="attachments"')
      .replace('<4F145791.8040802@example.com>', '<named@example.com>');
    const first = await post(named, { query: `?address=${ADDRESS}`, headers: MULTIPART });
    expect(first.status).toBe(200);
    expect((await stored(first.body?.position)).payload.attachments.map((a) => a.content)).toEqual([
      testfile,
      testfile,
    ]);
    const response = await post(multipartSample('multipart-normalized-url-attachments-snippet.txt'), {
      query: `?address=${ADDRESS}`,
      headers: MULTIPART,
    });
    expect(response.status).toBe(200);
    const p = (await stored(response.body?.position)).payload;
    expect(p.attachments).toEqual(
      [0, 1].map(() => ({
        fileName: 'file.txt',
        contentType: 'text/plain',
        size: 8,
        disposition: 'attachment',
        contentId: null,
        url: 'http://example.com/file.txt',
        scan: null,
        sha256: null,
        content: null,
      })),
    );
  });
});

describe('CloudMailin inbound webhook: storage', () => {
  it('keeps large parts in the blob store, named by the event, and small ones in the event', async () => {
    const file = Buffer.alloc(INLINE_PART_BYTES + 1, 1);
    const html = `<p>${'x'.repeat(INLINE_PART_BYTES)}</p>`;
    const body = {
      headers: { message_id: '<large@example.com>', subject: 'Large' },
      envelope: { to: `${ADDRESS}+tag@cloudmailin.net` },
      plain: 'small',
      html,
      attachments: [
        { file_name: 'big.bin', content_type: 'application/octet-stream', content: file.toString('base64') },
      ],
    };
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    const p = (await stored(response.body?.position)).payload;
    // The recipient `<address>+tag@cloudmailin.net` names the address.
    expect(p.addressId).toBe(ADDRESS);
    expect(p.plain).toEqual({ text: 'small' });
    expect(p.html).toEqual({ blob: blobKey(Buffer.from(html)), bytes: html.length });
    expect(p.attachments[0]?.content).toEqual({ blob: blobKey(file), bytes: file.length });
    expect((await blobs.get(blobKey(file)))?.equals(file)).toBe(true);
    expect((await blobs.get(blobKey(Buffer.from(html))))?.toString()).toBe(html);
  });

  it('stores a mail without Message-ID once, by its content', async () => {
    const mail = (text: string) =>
      JSON.stringify({ envelope: { to: 'someone@example.com' }, plain: text, headers: { subject: 'no id' } });
    const first = await post(mail('one'), { query: `?address=${ADDRESS}` });
    expect(first.body).toMatchObject({ stored: 1, duplicates: 0 });
    expect((await post(mail('one'), { query: `?address=${ADDRESS}` })).body).toMatchObject({
      stored: 0,
      duplicates: 1,
    });
    expect((await post(mail('two'), { query: `?address=${ADDRESS}` })).body).toMatchObject({
      stored: 1,
      duplicates: 0,
    });
  });

  it('answers 503 when the mail cannot be stored (log or blob store failing), storing nothing', async () => {
    const before = (await storedMails()).length;
    const small = JSON.stringify({ headers: { message_id: '<unstored-1@example.com>' }, plain: 'x' });
    const large = JSON.stringify({
      headers: { message_id: '<unstored-2@example.com>' },
      attachments: [{ file_name: 'a', content: Buffer.alloc(INLINE_PART_BYTES * 2).toString('base64') }],
    });
    try {
      failing = 'log';
      expect((await post(small, { query: `?address=${ADDRESS}` })).status).toBe(503);
      failing = 'blobs';
      expect((await post(large, { query: `?address=${ADDRESS}` })).status).toBe(503);
      // Multipart too.
      expect(
        (
          await post(
            multipartSample('multipart-normalized-docs-example.txt')
              .toString()
              .replace('F145791', 'unstored'),
            {
              query: `?address=${ADDRESS}`,
              headers: MULTIPART,
            },
          )
        ).status,
      ).toBe(200);
      failing = 'log';
      expect(
        (
          await post(
            multipartSample('multipart-normalized-docs-example.txt')
              .toString()
              .replace('F145791', 'unstored2'),
            {
              query: `?address=${ADDRESS}`,
              headers: MULTIPART,
            },
          )
        ).status,
      ).toBe(503);
    } finally {
      failing = null;
    }
    // Only the multipart mail posted while the log worked (its parts are small: no blob needed) is stored.
    expect((await storedMails()).length).toBe(before + 1);
  });
});

describe('CloudMailin inbound webhook: refusals', () => {
  it('refuses bad credentials (401), other types (415), malformed (400) and oversized (413) bodies, storing nothing', async () => {
    const before = (await storedMails()).length;
    const valid = json('json-normalized-docs-example.json').replace('F145791', 'refused');
    for (const authorization of ['', 'Basic Y2xvdWRtYWlsaW46d3Jvbmc=', 'Bearer x']) {
      expect((await post(valid, { headers: { authorization } })).status).toBe(401);
      expect(
        (
          await post(multipartSample('multipart-normalized-docs-example.txt'), {
            headers: { ...MULTIPART, authorization },
          })
        ).status,
      ).toBe(401);
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      expect((await post(valid, { headers: { 'content-type': type } })).status).toBe(415);
    }
    const refused = async (body: string | Buffer, options: Parameters<typeof post>[1] = {}) => {
      const answer = await post(body, options);
      expect(answer.status, String(body).slice(0, 80)).toBe(400);
      expect(String(answer.body?.error)).toMatch(/refused|JSON|multipart/);
    };
    for (const body of [
      'not json',
      '[]',
      '"mail"',
      '{}',
      '{"subject": "no member CloudMailin sends"}',
      '{"headers": []}',
      '{"envelope": "to@example.com"}',
      '{"plain": 5}',
      '{"attachments": {}}',
      '{"attachments": [1]}',
      '{"attachments": [{"file_name": "a", "content": "not base64!"}]}',
    ]) {
      await refused(body);
    }
    await refused(valid, { query: '?address=../../etc' });
    // Multipart bodies that are not multipart, or end before their closing boundary.
    await refused('garbage', { headers: { 'content-type': 'multipart/form-data' } });
    await refused('garbage', { headers: MULTIPART });
    await refused(
      Buffer.from('------cloudmailinboundry\r\nContent-Disposition: form-data; name="plain"\r\n\r\nhalf'),
      { headers: MULTIPART },
    );
    await refused(
      Buffer.from(
        '------cloudmailinboundry\r\nContent-Disposition: form-data; name="headers[x]"\r\n\r\na\r\n------cloudmailinboundry\r\nContent-Disposition: form-data; name="headers[x][y]"\r\n\r\nb\r\n------cloudmailinboundry--\r\n',
      ),
      { headers: MULTIPART },
    );
    // Oversized: declared, and streamed without a length.
    expect((await post(JSON.stringify({ plain: 'x'.repeat(MAX_BYTES) }))).status).toBe(413);
    const huge = Buffer.concat([
      Buffer.from(
        '------cloudmailinboundry\r\nContent-Disposition: form-data; name="headers[message_id]"\r\n\r\n<huge@example.com>\r\n------cloudmailinboundry\r\nContent-Disposition: form-data; name="attachments[]"; filename="huge.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.alloc(MAX_BYTES * 2, 0x61),
      Buffer.from('\r\n------cloudmailinboundry--\r\n'),
    ]);
    expect((await post(huge, { query: `?address=${ADDRESS}`, headers: MULTIPART })).status).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < huge.length; offset += 16 * 1024) {
          controller.enqueue(new Uint8Array(huge.subarray(offset, offset + 16 * 1024)));
        }
        controller.close();
      },
    });
    expect((await post(streamed, { query: `?address=${ADDRESS}`, headers: MULTIPART })).status).toBe(413);
    expect((await storedMails()).length).toBe(before);
    expect(await blobs.get(blobKey(Buffer.alloc(MAX_BYTES * 2, 0x61)))).toBeNull();
  });

  it('takes multipart field names as names only: `__proto__[x]` pollutes nothing', async () => {
    const field = (name: string, value: string) =>
      `------cloudmailinboundry\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const form = (...fields: string[]) => Buffer.from(`${fields.join('')}------cloudmailinboundry--\r\n`);
    const response = await post(
      form(
        field('__proto__[polluted]', 'yes'),
        field('constructor[prototype][polluted]', 'yes'),
        field('headers[subject]', 'Proto'),
        field('plain', 'x'),
      ),
      { query: `?address=${ADDRESS}`, headers: MULTIPART },
    );
    expect(response.status).toBe(200);
    // A header with members is no header: refused, and still nothing polluted.
    const nested = await post(form(field('headers[__proto__][polluted]', 'yes'), field('plain', 'x')), {
      query: `?address=${ADDRESS}`,
      headers: MULTIPART,
    });
    expect(nested.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((await stored(response.body?.position)).payload.subject).toBe('Proto');
  });

  it('never answers 5xx for generated hostile bodies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (body) => {
        const { status } = await post(body, { query: `?address=${ADDRESS}` });
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
