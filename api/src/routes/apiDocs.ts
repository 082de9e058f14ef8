import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Router, type Response } from 'express';
import helmet from 'helmet';
import { allow } from '../auth/httpGuards.js';
import { docsCspDirectives } from '../contentSecurityPolicy.js';
import { buildOpenApiDocument } from '../openapi/document.js';
import { docsPaths } from '../openapi/paths/docs.js';

const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

// Redoc reads its options from the element; a data attribute, because browsers hide a `nonce` attribute from scripts.
const initScript = `const el = document.getElementById('redoc');
Redoc.init(el.dataset.specUrl, { nonce: el.dataset.styleNonce, expandResponses: '200,201,202' }, el);
`;

const page = (nonce: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shelf API reference</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">body { margin: 0; padding: 0; }</style>
</head>
<body>
<div id="redoc" data-spec-url="${docsPaths.document}" data-style-nonce="${nonce}"></div>
<script src="${docsPaths.script}"></script>
<script src="${docsPaths.init}"></script>
</body>
</html>
`;

/** The OpenAPI document and its reference page, Redoc served from Shelf's own node_modules (no CDN). */
export function apiDocsRoutes(): Router {
  const r = Router();
  // Built once, on first request: the operations do not change while the process runs.
  let document: string | undefined;

  r.get(docsPaths.document, allow('viewer'), (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(document);
  });

  r.get(
    docsPaths.page,
    allow('viewer'),
    (_req, res, next) => {
      res.locals.cspNonce = randomBytes(16).toString('base64');
      next();
    },
    // Replaces the app-wide policy's header for this answer alone.
    helmet.contentSecurityPolicy({ directives: docsCspDirectives((res) => (res as unknown as Response).locals.cspNonce as string) }),
    (_req, res) => {
      res.type('html').send(page(res.locals.cspNonce as string));
    },
  );

  r.get(docsPaths.script, allow('viewer'), (_req, res) => {
    res.sendFile(redocBundle, { headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'private, max-age=86400' } });
  });

  r.get(docsPaths.init, allow('viewer'), (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'private, max-age=86400').send(initScript);
  });

  return r;
}
