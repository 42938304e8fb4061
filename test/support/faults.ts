/**
 * Every error a suite throws on purpose inside the runtime (a Durable Object aborted after
 * commit, an alarm run that fails) carries this prefix, so the test run's log can tell the
 * runtime's report of an injected fault from a real one (test/support/quiet-faults.global.ts).
 */
export const FAULT = "fault injection:";
