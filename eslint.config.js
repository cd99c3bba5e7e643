// ESLint: typescript-eslint's recommended rules, no import cycle between files (import-x/no-cycle), and
// the folders of src/ in layers, each importing only from the layers below it, so no cycle between
// folders can form either. `npm run lint` runs it (with prettier --check); `npm test` runs lint first.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/, highest first. A file may import from its own folder, from a folder further down
 * this list, and from the files at the root of src/ (errors.ts, types.ts, ...), which import only each
 * other. docs/architecture.md draws the same picture.
 */
const LAYERS = [
  ['cli'],
  ['api'],
  ['config'],
  ['schema'],
  ['sync'],
  ['analytics'],
  ['transport'],
  ['plan', 'mapping'],
  ['source', 'state', 'vitally', 'sandbox'],
  ['objects'],
];

/** For each folder, the folders it must not import: its own layer's other folders and every layer above. */
const zones = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => ({
    target: `./src/${folder}`,
    from: LAYERS.slice(0, i + 1)
      .flat()
      .filter((f) => f !== folder)
      .map((f) => `./src/${f}`),
    message: `src/${folder} is below these folders (see the layers in eslint.config.js)`,
  })),
).filter((z) => z.from.length > 0);
/** The root files of src/ import nothing from the folders; index.ts, the package's entry point, stands above them all. */
zones.push({
  target: './src/!(index).ts',
  from: LAYERS.flat().map((f) => `./src/${f}`),
  message: 'the files at the root of src/ are the lowest layer',
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: globals.node,
    },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // The files an import leads to are parsed as TypeScript too, so no-cycle can follow them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Terminal escape sequences (\x1b) are matched on purpose: the progress bar and its tests strip colours.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read parsed JSON output loosely.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
