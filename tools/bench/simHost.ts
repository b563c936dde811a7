/**
 * The vendor simulator in its own process for `npm run bench`, so that the client being measured
 * and the server producing the bytes do not share one event loop (2 cores: one each).
 * Talks to its parent over IPC: sends `{ url }` once listening; answers `{ cmd: 'reset' }` and
 * `{ cmd: 'stats' }` with `{ connectionsOpened, peakInFlight, cpuMs }` (cpuMs: the process's CPU time so far). Exits when the parent goes away.
 */
import { startSimulator } from '../../testkit/simulator';

async function main(): Promise<void> {
	const sim = await startSimulator({ quiet: true });
	const send = (message: unknown) => process.send?.(message);
	process.on('message', (message: { cmd?: string; id?: number }) => {
		if (message.cmd === 'reset') sim.reset();
		if (message.cmd === 'reset' || message.cmd === 'stats') {
			const cpu = process.cpuUsage();
			send({ id: message.id, connectionsOpened: sim.connectionsOpened(), peakInFlight: sim.peakInFlight('lke'), cpuMs: (cpu.user + cpu.system) / 1000 });
		}
	});
	process.on('disconnect', () => {
		void sim.close().finally(() => process.exit(0));
	});
	send({ url: sim.url });
}

main().catch((error: unknown) => {
	process.stderr.write(`bench simulator failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
