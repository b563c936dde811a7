import { readdirSync, readFileSync } from 'fs';
import { join, relative, resolve, sep } from 'path';
import ts from 'typescript';

// Rules the compiler does not enforce, checked on the parsed source of every TypeScript file
// of the repository (no type-checking needed, so this stays fast).

const ROOT = resolve(__dirname, '..');
const FOLDERS = ['nodes', 'credentials', 'testkit', 'tools', 'test'];

function typeScriptFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return typeScriptFiles(path);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
	});
}

function parse(path: string): ts.SourceFile {
	return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

function visit(node: ts.Node, found: (node: ts.Node) => void): void {
	found(node);
	node.forEachChild((child) => visit(child, found));
}

function where(file: ts.SourceFile, node: ts.Node): string {
	const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
	return `${relative(ROOT, file.fileName)}:${line + 1}`;
}

/** Every `any` written as a type in the file: annotations, casts, type arguments. */
function explicitAnys(file: ts.SourceFile): string[] {
	const out: string[] = [];
	visit(file, (node) => {
		if (node.kind === ts.SyntaxKind.AnyKeyword) out.push(where(file, node));
	});
	return out;
}

/** The module specifiers of the file's imports, exports and require() calls. */
function importedModules(file: ts.SourceFile): string[] {
	const out: string[] = [];
	visit(file, (node) => {
		if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
			out.push(node.moduleSpecifier.text);
		} else if (ts.isCallExpression(node) && node.expression.getText(file) === 'require' && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
			out.push(node.arguments[0].text);
		} else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
			out.push(node.argument.literal.text);
		}
	});
	return out;
}

describe('the checks themselves', () => {
	const source = (text: string) => ts.createSourceFile(join(ROOT, 'x.ts'), text, ts.ScriptTarget.Latest, true);

	it('find any as an annotation, a cast, a type argument and inside a type, and nothing in names, strings or comments', () => {
		const file = source(['let a: any;', 'const b = 1 as any;', 'const c = new Map<string, any>();', 'type D = { e: any[] };', '// any', "const any_ = 'any';"].join('\n'));
		expect(explicitAnys(file)).toEqual(['x.ts:1', 'x.ts:2', 'x.ts:3', 'x.ts:4']);
	});

	it('find modules named by import, export, require and import types', () => {
		const file = source(["import { a } from './a';", "export { b } from '../b';", "const c = require('c');", "type D = import('./d').D;", "const e = 'import x from \"e\"';"].join('\n'));
		expect(importedModules(file)).toEqual(['./a', '../b', 'c', './d']);
	});
});

describe('source rules', () => {
	const files = FOLDERS.flatMap((folder) => typeScriptFiles(join(ROOT, folder)));

	it("finds the repository's TypeScript files", () => {
		expect(files.length).toBeGreaterThan(100);
		for (const folder of FOLDERS) expect(files.some((file) => file.startsWith(join(ROOT, folder) + sep))).toBe(true);
	});

	it('no explicit any: parsed JSON is unknown until checked, and a known shape gets its own type', () => {
		expect(files.flatMap((path) => explicitAnys(parse(path)))).toEqual([]);
	});

	it('the test kit (the vendor simulator among it) imports nothing from nodes/, credentials/, test/ or tools/', () => {
		const kitFiles = files.filter((file) => file.startsWith(join(ROOT, 'testkit') + sep));
		expect(kitFiles.some((file) => file.startsWith(join(ROOT, 'testkit', 'simulator') + sep))).toBe(true);
		const outside = ['nodes', 'test', 'tools', 'credentials'].map((folder) => join(ROOT, folder) + sep);
		const imports = kitFiles.flatMap((path) =>
			importedModules(parse(path))
				.filter((specifier) => specifier.startsWith('.') && outside.some((folder) => resolve(path, '..', specifier).startsWith(folder)))
				.map((specifier) => `${relative(ROOT, path)} imports ${specifier}`),
		);
		expect(imports).toEqual([]);
	});
});
