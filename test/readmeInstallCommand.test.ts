/**
 * The README's install-by-hand commands are the ones the end-to-end, demo and queue hosts run (with
 * the packed tarball in place of the package name). If either changes alone, this fails.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMUNITY_INSTALL_FLAGS, NODES_FOLDER_MANIFEST, NODES_FOLDER_MANIFEST_LINE, communityInstallArgs } from '../tools/lib/n8nHost';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const DOCKERFILE = fs.readFileSync(path.join(__dirname, '..', 'docker', 'Dockerfile'), 'utf8');
const PACKAGE = 'n8n-nodes-agent-chat';

/** The text of the README section whose heading is `title`, up to the next heading of level 2. */
function section(title: string): string {
	const start = README.indexOf(`\n## ${title}\n`);
	if (start < 0) throw new Error(`README has no section "${title}"`);
	const end = README.indexOf('\n## ', start + 1);
	return README.slice(start, end < 0 ? undefined : end);
}

/**
 * Every install of this package written in `text` with flags, and its flags. (The prose names a
 * plain `npm install n8n-nodes-agent-chat` once, as what not to do.)
 */
function installCommands(text: string): Array<{ line: string; spec: string; flags: string[] }> {
	const found: Array<{ line: string; spec: string; flags: string[] }> = [];
	const pattern = new RegExp(`npm install (${PACKAGE}(?:@[\\w.-]+)?)((?: --?[\\w=-]+)+)`, 'g');
	for (const match of text.matchAll(pattern)) {
		found.push({ line: match[0], spec: match[1], flags: match[2].trim().split(/\s+/) });
	}
	return found;
}

/** The fenced shell blocks of `text`. */
function shellBlocks(text: string): string[] {
	return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
}

describe("README 'Install in n8n' and the test hosts' install command", () => {
	const install = section('Install in n8n');

	it('the by-hand command (a fenced shell block in the nodes folder) has exactly the hosts’ flags, in order', () => {
		const block = shellBlocks(install).find((text) => text.includes(`npm install ${PACKAGE}`));
		expect(block).toBeDefined();
		expect(block).toContain('cd ~/.n8n/nodes');
		const commands = installCommands(block ?? '');
		expect(commands).toHaveLength(1);
		expect(commands[0].spec).toBe(PACKAGE);
		expect(commands[0].flags).toEqual([...COMMUNITY_INSTALL_FLAGS]);
	});

	it('every other install of the package written in the README uses the same flags', () => {
		const commands = installCommands(README);
		// The fenced command and the one for an existing Docker volume.
		expect(commands.length).toBeGreaterThanOrEqual(2);
		for (const command of commands) expect({ line: command.line, flags: command.flags }).toEqual({ line: command.line, flags: [...COMMUNITY_INSTALL_FLAGS] });
	});

	it('the flags written out by hand: n8n’s installer flags, no dev/optional/peer dependencies, no scripts', () => {
		expect([...COMMUNITY_INSTALL_FLAGS].sort()).toEqual(
			['--audit=false', '--bin-links=false', '--fund=false', '--ignore-scripts', '--install-strategy=shallow', '--omit=dev', '--omit=optional', '--omit=peer'].sort(),
		);
	});

	it('the by-hand commands write the nodes folder’s package.json (the one n8n writes) before the install, as the hosts do', () => {
		const block = shellBlocks(install).find((text) => text.includes(`npm install ${PACKAGE}`)) ?? '';
		const lines = block.split('\n');
		const manifestAt = lines.indexOf(NODES_FOLDER_MANIFEST_LINE);
		expect(manifestAt).toBeGreaterThan(-1);
		expect(manifestAt).toBeLessThan(lines.findIndex((line) => line.startsWith(`npm install ${PACKAGE}`)));
		expect(NODES_FOLDER_MANIFEST).toEqual({ name: 'installed-nodes', private: true, dependencies: {} });
	});

	it('the Docker image writes the same package.json before its install', () => {
		const manifestAt = DOCKERFILE.indexOf(NODES_FOLDER_MANIFEST_LINE);
		expect(manifestAt).toBeGreaterThan(-1);
		expect(manifestAt).toBeLessThan(DOCKERFILE.indexOf(`npm install "${PACKAGE}@`));
	});

	it('the package.json line writes n8n’s manifest in an empty folder and leaves an existing one alone', () => {
		const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nodes-manifest-'));
		try {
			execFileSync('sh', ['-c', NODES_FOLDER_MANIFEST_LINE], { cwd: folder });
			expect(JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'))).toEqual(NODES_FOLDER_MANIFEST);
			const existing = '{"name":"installed-nodes","private":true,"dependencies":{"n8n-nodes-other":"1.0.0"}}';
			fs.writeFileSync(path.join(folder, 'package.json'), existing);
			execFileSync('sh', ['-c', NODES_FOLDER_MANIFEST_LINE], { cwd: folder });
			expect(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')).toBe(existing);
		} finally {
			fs.rmSync(folder, { recursive: true, force: true });
		}
	});

	it('the hosts run `npm install <tarball>` followed by exactly those flags', () => {
		expect(communityInstallArgs('/tmp/pack/n8n-nodes-agent-chat-0.1.0.tgz')).toEqual(['install', '/tmp/pack/n8n-nodes-agent-chat-0.1.0.tgz', ...COMMUNITY_INSTALL_FLAGS]);
	});
});
