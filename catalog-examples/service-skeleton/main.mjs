#!/usr/bin/env node
// service-skeleton: generates the files of a new HTTP service from the templates in
// ./templates and ./licenses, and writes them to $SHELF_OUTPUT as { summary, tree, files }.
// Node.js standard library only; reads the bundle, writes nothing but $SHELF_OUTPUT.

import { readFileSync, writeFileSync } from 'node:fs';

const here = (path) => new URL(path, import.meta.url);
const MAX_OUTPUT_BYTES = 900_000; // Shelf refuses outputs over 1 MB

const LANGUAGES = {
  node: { label: 'Node.js' },
  python: { label: 'Python' },
  go: { label: 'Go' },
};
const FEATURES = ['dockerfile', 'ci', 'healthcheck', 'catalog-info'];
const LICENSES = {
  MIT: { name: 'MIT License', file: 'MIT.txt' },
  'Apache-2.0': { name: 'Apache License 2.0', file: 'Apache-2.0.txt' },
  'BSD-3-Clause': { name: 'BSD 3-Clause License', file: 'BSD-3-Clause.txt' },
  proprietary: { name: 'Proprietary: all rights reserved', file: null },
};
const CI_PROVIDERS = ['github-actions', 'gitlab-ci'];

class InputError extends Error {}

const progress = (percent, message) => console.log(`::progress ${Math.round(percent)} ${message}`);

function loadInputs() {
  const path = process.env.SHELF_INPUT;
  if (!path) throw new InputError('SHELF_INPUT is not set');
  let raw;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read the inputs at ${path}: ${err.message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError('the inputs are not a JSON object');
  }
  const errors = [];
  const pick = (key, fallback) => (raw[key] === undefined || raw[key] === null ? fallback : raw[key]);
  const matches = (key, value, re, hint) => {
    if (value === undefined) errors.push(`${key}: is required`);
    else if (typeof value !== 'string' || !re.test(value)) errors.push(`${key}: ${hint} (got ${JSON.stringify(value)})`);
    return value;
  };
  const oneOf = (key, value, allowed) => {
    if (!allowed.includes(value)) errors.push(`${key}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    return value;
  };

  const inputs = {
    name: matches('name', pick('name', undefined), /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/,
      '3-40 lowercase letters, digits and dashes, starting with a letter and not ending with a dash'),
    language: oneOf('language', pick('language', 'node'), Object.keys(LANGUAGES)),
    license: oneOf('license', pick('license', 'MIT'), Object.keys(LICENSES)),
    organization: matches('organization', pick('organization', 'example'), /^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/,
      'letters, digits, dots, dashes and underscores'),
    owner: matches('owner', pick('owner', 'platform-team'), /^[a-z][a-z0-9-]{1,39}$/, 'a team slug'),
    port: pick('port', 8080),
  };
  if (!Number.isInteger(inputs.port) || inputs.port < 1024 || inputs.port > 65535) {
    errors.push(`port: must be a whole number from 1024 to 65535 (got ${JSON.stringify(inputs.port)})`);
  }
  let description = pick('description', 'A new service.');
  if (typeof description !== 'string') {
    errors.push('description: must be a string');
    description = '';
  }
  // One clean line: it goes into Markdown, JSON, TOML and YAML.
  // eslint-disable-next-line no-control-regex
  inputs.description = description.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)
    || 'A new service.';

  const features = pick('features', ['dockerfile', 'ci', 'healthcheck']);
  if (!Array.isArray(features) || features.some((f) => !FEATURES.includes(f))) {
    errors.push(`features: must be a list of ${FEATURES.join(', ')} (got ${JSON.stringify(features)})`);
    inputs.features = [];
  } else {
    inputs.features = FEATURES.filter((f) => features.includes(f));
  }
  inputs.ciProvider = inputs.features.includes('ci')
    ? oneOf('ciProvider', pick('ciProvider', 'github-actions'), CI_PROVIDERS)
    : null;

  if (errors.length) throw new InputError(errors.join('\n'));
  return inputs;
}

/**
 * A tiny template renderer: {%var%} inserts a variable, {%#flag%}…{%/flag%} keeps its
 * body when flag is truthy, {%^flag%}…{%/flag%} when it is falsy. A tag alone on its line
 * takes the whole line with it.
 */
function render(template, vars, name) {
  const src = template.replace(/^[ \t]*(\{%[#^/][\w-]+%\})[ \t]*\r?\n/gm, '$1');
  const tag = /\{%([#^/]?)([\w-]+)%\}/g;
  const stack = [];
  const active = () => stack.every((s) => s.on);
  let out = '';
  let last = 0;
  for (let m = tag.exec(src); m; m = tag.exec(src)) {
    if (active()) out += src.slice(last, m.index);
    last = tag.lastIndex;
    const [, kind, key] = m;
    if (kind === '#' || kind === '^') {
      stack.push({ key, on: kind === '#' ? Boolean(vars[key]) : !vars[key] });
    } else if (kind === '/') {
      const open = stack.pop();
      if (!open || open.key !== key) throw new Error(`${name}: unexpected {%/${key}%}`);
    } else if (active()) {
      if (!(key in vars)) throw new Error(`${name}: unknown variable ${key}`);
      out += String(vars[key]);
    }
  }
  if (stack.length) throw new Error(`${name}: unclosed {%#${stack.at(-1).key}%}`);
  if (active()) out += src.slice(last);
  return out;
}

function licenseText(inputs, year) {
  const license = LICENSES[inputs.license];
  if (!license.file) {
    return `Copyright (c) ${year} ${inputs.organization}. All rights reserved.\n\n`
      + 'This software is proprietary and confidential. No license is granted to use, copy,\n'
      + 'modify or distribute it without the prior written permission of the copyright holder.\n';
  }
  const text = readFileSync(here(`./licenses/${license.file}`), 'utf8');
  return text.replaceAll('{{year}}', String(year)).replaceAll('{{holder}}', inputs.organization);
}

function generate(inputs) {
  const year = new Date().getUTCFullYear();
  const { name, language, features } = inputs;
  const has = (f) => features.includes(f);
  const pkg = name.replace(/-/g, '_');
  const org = inputs.organization;
  const vars = {
    name,
    pkg,
    port: inputs.port,
    owner: inputs.owner,
    org,
    year,
    description: inputs.description,
    descriptionJson: JSON.stringify(inputs.description),
    language,
    languageLabel: LANGUAGES[language].label,
    module: `github.com/${org}/${name}`,
    image: `ghcr.io/${org.toLowerCase()}/${name}`,
    licenseId: inputs.license === 'proprietary' ? 'LicenseRef-Proprietary' : inputs.license,
    licenseName: LICENSES[inputs.license].name,
    node: language === 'node',
    python: language === 'python',
    go: language === 'go',
    dockerfile: has('dockerfile'),
    ci: has('ci'),
    healthcheck: has('healthcheck'),
    github: inputs.ciProvider === 'github-actions',
    gitlab: inputs.ciProvider === 'gitlab-ci',
  };

  // output path -> template path (under ./templates), or a function producing the content
  const plan = {
    'README.md': 'common/README.md.tmpl',
    '.gitignore': `${language}/gitignore.tmpl`,
    '.editorconfig': 'common/editorconfig.tmpl',
    LICENSE: () => licenseText(inputs, year),
  };
  if (inputs.license === 'Apache-2.0') plan.NOTICE = () => `${name}\nCopyright ${year} ${org}\n`;
  if (language === 'node') {
    plan['package.json'] = () => `${JSON.stringify({
      name,
      version: '0.1.0',
      description: inputs.description,
      private: true,
      type: 'module',
      license: inputs.license === 'proprietary' ? 'UNLICENSED' : inputs.license,
      engines: { node: '>=20' },
      scripts: { start: 'node src/server.js', test: 'node --test' },
    }, null, 2)}\n`;
    plan['src/app.js'] = 'node/app.js.tmpl';
    plan['src/server.js'] = 'node/server.js.tmpl';
    plan['test/app.test.js'] = 'node/app.test.js.tmpl';
  } else if (language === 'python') {
    plan['pyproject.toml'] = 'python/pyproject.toml.tmpl';
    plan[`src/${pkg}/__init__.py`] = 'python/__init__.py.tmpl';
    plan[`src/${pkg}/__main__.py`] = 'python/__main__.py.tmpl';
    plan[`src/${pkg}/app.py`] = 'python/app.py.tmpl';
    plan['tests/test_app.py'] = 'python/test_app.py.tmpl';
  } else {
    plan['go.mod'] = 'go/go.mod.tmpl';
    plan['main.go'] = 'go/main.go.tmpl';
    plan['server.go'] = 'go/server.go.tmpl';
    plan['server_test.go'] = 'go/server_test.go.tmpl';
  }
  if (has('dockerfile')) {
    plan.Dockerfile = `${language}/Dockerfile.tmpl`;
    plan['.dockerignore'] = 'common/dockerignore.tmpl';
  }
  if (inputs.ciProvider === 'github-actions') plan['.github/workflows/ci.yml'] = 'ci/github-actions.yml.tmpl';
  if (inputs.ciProvider === 'gitlab-ci') plan['.gitlab-ci.yml'] = 'ci/gitlab-ci.yml.tmpl';
  if (has('catalog-info')) plan['catalog-info.yaml'] = 'common/catalog-info.yaml.tmpl';

  const files = {};
  const paths = Object.keys(plan).sort();
  paths.forEach((path, i) => {
    const source = plan[path];
    files[path] = typeof source === 'function'
      ? source()
      : render(readFileSync(here(`./templates/${source}`), 'utf8'), vars, source);
    progress(10 + (80 * (i + 1)) / paths.length, `generated ${path}`);
  });
  return files;
}

/** Draws the file list as a tree, folders first. */
function drawTree(root, paths, sizes) {
  const node = { dirs: new Map(), files: [] };
  for (const path of paths) {
    const parts = path.split('/');
    let at = node;
    for (const dir of parts.slice(0, -1)) {
      if (!at.dirs.has(dir)) at.dirs.set(dir, { dirs: new Map(), files: [] });
      at = at.dirs.get(dir);
    }
    at.files.push({ name: parts.at(-1), path });
  }
  const lines = [`${root}/`];
  const walk = (at, prefix) => {
    const entries = [
      ...[...at.dirs.keys()].sort().map((d) => ({ dir: d, child: at.dirs.get(d) })),
      ...at.files.sort((a, b) => (a.name < b.name ? -1 : 1)),
    ];
    entries.forEach((e, i) => {
      const lastOne = i === entries.length - 1;
      const branch = lastOne ? '└── ' : '├── ';
      if (e.dir) {
        lines.push(`${prefix}${branch}${e.dir}/`);
        walk(e.child, prefix + (lastOne ? '    ' : '│   '));
      } else {
        lines.push(`${prefix}${branch}${e.name}  (${sizes[e.path]} B)`);
      }
    });
  };
  walk(node, '');
  return lines.join('\n');
}

function main() {
  const outPath = process.env.SHELF_OUTPUT;
  try {
    if (!outPath) throw new InputError('SHELF_OUTPUT is not set');
    progress(0, 'reading inputs');
    const inputs = loadInputs();
    console.log(`job ${process.env.SHELF_JOB_ID ?? 'local'}: ${LANGUAGES[inputs.language].label} service `
      + `'${inputs.name}' with ${inputs.features.join(', ') || 'no extra features'}`);
    progress(10, 'rendering templates');
    const files = generate(inputs);

    const sizes = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, Buffer.byteLength(c)]));
    const totalBytes = Object.values(sizes).reduce((a, b) => a + b, 0);
    const tree = drawTree(inputs.name, Object.keys(files), sizes);
    console.log(`\n${tree}\n`);
    console.log(`${Object.keys(files).length} files, ${totalBytes} bytes`);

    const outputs = {
      summary: {
        name: inputs.name,
        language: inputs.language,
        license: inputs.license,
        features: inputs.features,
        ciProvider: inputs.ciProvider,
        port: inputs.port,
        fileCount: Object.keys(files).length,
        totalBytes,
        nextSteps: [
          'Write the files out: the item README has a short jq loop for it.',
          `git init ${inputs.name} && git add . && git commit -m "Initial skeleton"`,
          'Push to a new repository and open a pull request with your first feature.',
        ],
      },
      tree,
      files,
    };
    const json = JSON.stringify(outputs);
    if (Buffer.byteLength(json) > MAX_OUTPUT_BYTES) throw new Error(`the outputs are too large (${Buffer.byteLength(json)} bytes)`);
    writeFileSync(outPath, json);
    progress(100, 'done');
    return 0;
  } catch (err) {
    const message = err instanceof InputError ? err.message : `internal error: ${err.stack ?? err}`;
    console.error(`error: ${message}`);
    if (outPath) {
      try {
        writeFileSync(outPath, JSON.stringify({ error: message }));
      } catch {
        // nothing more to do: the log has the message
      }
    }
    return 1;
  }
}

process.exitCode = main();
