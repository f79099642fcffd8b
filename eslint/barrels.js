/**
 * Local lint rule (issue 14): a folder keeps a re-export `index.ts` only if
 * every importer from outside the folder goes through it. So an import that
 * reaches past a folder's index into one of its files, from outside that
 * folder, is an error; either import the folder, or delete the index.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

const isDir = (p) => existsSync(p) && statSync(p).isDirectory();

/** @type {import('eslint').Rule.RuleModule} */
const throughIndex = {
  meta: {
    type: 'problem',
    docs: { description: 'Import a folder that has an index.ts through that index.' },
    schema: [{ type: 'object', properties: { exempt: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: { deep: "'{{folder}}' has an index.ts: import the folder itself, not '{{spec}}'." },
  },
  create(context) {
    const file = context.filename;
    const exempt = (context.options[0]?.exempt ?? []).map((f) => resolve(context.cwd, f));
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(dirname(file), spec);
      if (isDir(target)) return; // the folder (its index) itself
      for (let folder = dirname(target); folder.length > 1 && folder !== dirname(folder); folder = dirname(folder)) {
        if (file.startsWith(folder + sep)) return; // importer lives inside: free to reach any file
        if (exempt.includes(folder)) return;
        if (existsSync(resolve(folder, 'index.ts'))) {
          context.report({ node, messageId: 'deep', data: { folder: folder.slice(context.cwd.length + 1), spec } });
          return;
        }
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'through-index': throughIndex } };
