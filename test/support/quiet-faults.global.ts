/**
 * Keeps the runtime's reports of deliberately injected faults out of the test log (vitest
 * globalSetup, in Node). workerd logs every uncaught exception; resilience/faults.test.ts
 * aborts objects mid-burst and fails alarm runs on purpose, which makes workerd report
 * ~430 of them, each with its stack line. The worker pool writes each runtime log entry to
 * this process's stdout or stderr in one write, so an entry is dropped here only when it is
 * such a report AND the error's message starts with FAULT (test/support/faults.ts): every
 * other log line, uncaught errors included, still prints. FANFARE_SHOW_FAULT_LOGS=1 shows them.
 */
import { FAULT } from "./faults";

const injected = new RegExp(`^uncaught exception;[^\\n]*\\bError: ${FAULT}`);

export default function setup() {
	if (process.env.FANFARE_SHOW_FAULT_LOGS === "1") return;
	let dropped = 0;
	const restore = [process.stdout, process.stderr].map((stream) => {
		const write = stream.write.bind(stream);
		stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
			const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
			if (!injected.test(text)) return write(chunk, ...rest);
			dropped++;
			return true;
		}) as typeof stream.write;
		return () => {
			stream.write = write;
		};
	});
	return () => {
		for (const undo of restore) undo();
		if (dropped) console.log(`(${dropped} runtime reports of deliberately injected faults left out of the log)`);
	};
}
