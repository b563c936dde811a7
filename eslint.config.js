// n8n's node rules (eslint-plugin-n8n-nodes-base), applied as its own starter applies them:
// "community" to package.json, "credentials" to credential files, "nodes" to node files.
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const tsParser = require('@typescript-eslint/parser');
const jsoncParser = require('jsonc-eslint-parser');
const communityNodes = require('@n8n/eslint-plugin-community-nodes');

const plugins = { 'n8n-nodes-base': n8nNodesBase };

module.exports = [
	{ ignores: ['dist/**', 'build/**', 'node_modules/**', 'test/**', 'tools/**', 'testkit/**', '*.js'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins,
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		// n8n's community-package rules (the set without n8n Cloud's extra restrictions).
		...communityNodes.configs.recommendedWithoutN8nCloudSupport,
		files: ['package.json', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		rules: {
			...communityNodes.configs.recommendedWithoutN8nCloudSupport.rules,
			// The package depends on these two at run time on purpose: undici gives the nodes
			// pooled keep-alive connections, proxy support, connect/idle/total timeouts and abort, which
			// n8n's request helpers do not expose for a long SSE stream; eventsource-parser parses SSE.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// The AppKey is a password field: it alone lets anyone chat as the application.
			'@n8n/community-nodes/credential-unnecessary-password': 'off',
		},
	},
	{
		// Request builders, aggregators and error mappers are pure modules without an n8n context: they
		// throw AgentChatError, which runPerItem turns into NodeApiError/NodeOperationError (errors.ts).
		files: ['nodes/**/*.ts'],
		ignores: ['nodes/**/*.node.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
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
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Superseded by @n8n/community-nodes/node-connection-type-literal, which asks for
			// NodeConnectionTypes.Main where this older rule asks for the literal 'main'.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
];
