/**
 * Redis and PostgreSQL for the queue check: Debian's packages (installed with apt-get when
 * missing), each started on a free port of 127.0.0.1 as a managed process with its data in the
 * check's temp folder. PostgreSQL runs as the `postgres` user when the check runs as root.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { seconds, sleep } from '../../testkit/time';
import { freePort } from '../lib/n8nHost';
import { runProcess, startProcess, type ManagedProcess } from '../lib/processes';

export interface Redis {
	process: ManagedProcess;
	port: number;
}

export interface Postgres {
	process: ManagedProcess;
	port: number;
	/** Runs one statement on the n8n database; the rows, fields split. */
	sql(query: string): Promise<string[][]>;
}

function which(bin: string): string | null {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		const candidate = path.join(dir, bin);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// the next folder
		}
	}
	return null;
}

function pgBinDir(): string | null {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((version) => fs.existsSync(path.join(root, version, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/** Installs redis-server and postgresql with apt-get when one of them is missing (as root only). */
export async function ensureServicePackages(): Promise<void> {
	if (which('redis-server') && pgBinDir()) return;
	if (process.getuid?.() !== 0) throw new Error('redis-server or PostgreSQL is missing; install them: apt-get install -y redis-server postgresql');
	const started = Date.now();
	process.stdout.write('installing redis-server and postgresql with apt-get ...\n');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const update = await runProcess('apt-get', ['update'], { env, timeoutMs: 300_000 });
	if (update.exitCode !== 0) throw new Error(`apt-get update failed:\n${update.stderr.slice(-2000)}`);
	const install = await runProcess('apt-get', ['install', '-y', 'redis-server', 'postgresql'], { env, timeoutMs: 600_000 });
	if (install.exitCode !== 0) throw new Error(`apt-get install failed:\n${install.stderr.slice(-2000)}`);
	if (!which('redis-server') || !pgBinDir()) throw new Error('redis-server / postgres still missing after apt-get install');
	process.stdout.write(`installed in ${seconds(Date.now() - started)}\n`);
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let answer = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => {
			answer += data.toString();
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

export async function startRedis(tmp: string): Promise<Redis> {
	const port = await freePort();
	const dir = path.join(tmp, 'redis');
	fs.mkdirSync(dir);
	const bin = which('redis-server');
	if (!bin) throw new Error('redis-server is missing');
	const redis = startProcess('redis', bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
		cwd: dir,
		logFile: path.join(tmp, 'redis.log'),
		stopLast: true,
	});
	const deadline = Date.now() + 30_000;
	while (!(await redisPing(port))) {
		if (redis.exited) throw new Error(`redis-server exited:\n${redis.tail(25)}`);
		if (Date.now() > deadline) throw new Error(`redis-server not answering on ${port}:\n${redis.tail(25)}`);
		await sleep(200);
	}
	return { process: redis, port };
}

/** The uid/gid to run PostgreSQL as: `postgres` when we are root (it refuses root), else ourselves. */
function pgUser(): { uid?: number; gid?: number } {
	if (process.getuid?.() !== 0) return {};
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith('postgres:'));
	if (!line) throw new Error('no `postgres` user (it comes with the postgresql package)');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(tmp: string): Promise<Postgres> {
	const bin = pgBinDir();
	if (!bin) throw new Error('PostgreSQL is missing');
	const user = pgUser();
	const dataDir = path.join(tmp, 'pg');
	fs.mkdirSync(dataDir, { mode: 0o700 });
	if (user.uid !== undefined && user.gid !== undefined) fs.chownSync(dataDir, user.uid, user.gid);
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: tmp };
	const init = await runProcess(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...user, env, cwd: tmp, timeoutMs: 120_000 });
	if (init.exitCode !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	const port = await freePort();
	// prettier-ignore
	const args = [
		'-D', dataDir,
		'-p', String(port),
		'-k', dataDir,
		'-c', 'listen_addresses=127.0.0.1',
		// A throw-away database: no need to wait for the disk.
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
		'-c', 'max_connections=100',
	];
	// SIGINT is PostgreSQL's fast shutdown.
	const postgres = startProcess('postgres', path.join(bin, 'postgres'), args, { ...user, env, cwd: tmp, logFile: path.join(tmp, 'postgres.log'), stopSignal: 'SIGINT', stopLast: true });
	const sql = async (query: string, db = 'n8n'): Promise<string[][]> => {
		const result = await runProcess(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', db, '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
			env: { ...env, PGCONNECT_TIMEOUT: '5' },
			timeoutMs: 30_000,
		});
		if (result.exitCode !== 0) throw new Error(`psql: ${query}: ${result.stderr.trim()}`);
		return result.stdout
			.split('\n')
			.filter((line) => line !== '')
			.map((line) => line.split('\t'));
	};
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (postgres.exited) throw new Error(`postgres exited:\n${postgres.tail(25)}`);
		try {
			await sql('SELECT 1', 'postgres');
			break;
		} catch (error) {
			if (Date.now() > deadline) throw new Error(`postgres not ready on ${port}: ${(error as Error).message}\n${postgres.tail(25)}`);
			await sleep(300);
		}
	}
	await sql('CREATE DATABASE n8n', 'postgres');
	return { process: postgres, port, sql: (query) => sql(query) };
}
