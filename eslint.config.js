// n8n's node rules (eslint-plugin-n8n-nodes-base), applied as its own starter applies them:
// "community" to package.json, "credentials" to credential files, "nodes" to node files.
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');

const plugins = { 'n8n-nodes-base': n8nNodesBase };

module.exports = [
	{ ignores: ['dist/**', 'build/**', 'node_modules/**', 'test/**', 'scripts/**', '*.js'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins,
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// This rule is for n8n's own repository, where documentation URLs are slugs of docs.n8n.io;
			// a community package links to the vendor's pages (n8n's community starter turns it off too).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins,
		rules: { ...n8nNodesBase.configs.nodes.rules },
	},
];
