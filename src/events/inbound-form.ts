/**
 * Reads a multipart/form-data webhook body (CloudMailin's `multipart+n`) with busboy, streaming, under the
 * same byte limit as JSON bodies: the whole request is counted as it arrives, and past the limit reading
 * stops and the caller answers 413 (nothing past the limit is ever held). File parts are kept in memory,
 * which the limit bounds; field values are read whole (busboy's 1 MB default would cut a long HTML body).
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { FormBody } from './inbound.js';
import { WebhookBodyError } from './normalize.js';

/** Parts of one form; CloudMailin sends a few dozen (one per header, envelope member and attachment). */
export const MAX_FORM_PARTS = 10_000;

export function readForm(req: IncomingMessage, maxBytes: number): Promise<FormBody | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolve('too-large');
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          fieldNameSize: 1024,
          fieldSize: maxBytes,
          fileSize: maxBytes,
          parts: MAX_FORM_PARTS,
        },
      });
    } catch (error) {
      reject(new WebhookBodyError([`not a multipart/form-data body: ${(error as Error).message}`]));
      return;
    }
    const form: FormBody = { fields: [], files: [] };
    let size = 0;
    let settled = false;
    let pendingFiles = 0;
    let parsed = false;
    const settle = (outcome: FormBody | 'too-large' | Error) => {
      if (settled) return;
      settled = true;
      req.off('data', count);
      req.unpipe(parser);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const done = () => {
      if (parsed && pendingFiles === 0) settle(form);
    };
    const count = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle('too-large');
    };
    req.on('data', count);
    parser.on('field', (name, value) => {
      form.fields.push([name, value]);
    });
    parser.on('file', (name, stream, info) => {
      pendingFiles += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        form.files.push({
          name,
          fileName: info.filename ?? null,
          contentType: info.mimeType || null,
          content: Buffer.concat(chunks),
        });
        pendingFiles -= 1;
        done();
      });
    });
    parser.on('partsLimit', () => settle('too-large'));
    parser.on('error', (error: Error) =>
      settle(new WebhookBodyError([`malformed multipart body: ${error.message}`])),
    );
    parser.on('close', () => {
      parsed = true;
      done();
    });
    req.on('error', (error) => settle(error));
    req.pipe(parser);
  });
}
