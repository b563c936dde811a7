/**
 * Runs the vendor simulator: `node build/testkit/simulator/cli.js [--port N] [--quiet]`
 * (or env SIM_PORT; default 0 = a random port). Keys may be overridden with env SIM_LKE_APP_KEY (the AppKey
 * of both the v1 dialog and ADP v2 chat), SIM_SECRET_ID, SIM_SECRET_KEY, SIM_AISK_TOKEN, SIM_TATE_SECRET_KEY
 * (never printed).
 * Prints `simulator listening on http://127.0.0.1:PORT` on stdout; logs requests to stderr.
 */
import { startSimulator } from './index';

function parsePort(argv: string[]): number {
	let value: string | undefined = process.env.SIM_PORT;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--port') value = argv[i + 1];
		else if (argv[i].startsWith('--port=')) value = argv[i].slice('--port='.length);
	}
	if (value === undefined || value === '') return 0;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${value}`);
	return port;
}

async function main(): Promise<void> {
	const argv = process.argv.slice(2);
	const sim = await startSimulator({
		port: parsePort(argv),
		quiet: argv.includes('--quiet'),
		lkeAppKey: process.env.SIM_LKE_APP_KEY,
		secretId: process.env.SIM_SECRET_ID,
		secretKey: process.env.SIM_SECRET_KEY,
		aiskToken: process.env.SIM_AISK_TOKEN,
		tateSecretKey: process.env.SIM_TATE_SECRET_KEY,
	});
	process.stdout.write(`simulator listening on ${sim.url}\n`);
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		sim.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((err: unknown) => {
		process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
		process.exit(1);
	});
}
