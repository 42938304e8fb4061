import type { AppEnv } from "../../http/env";
import type { ConsoleSession } from "./session/service";

/** What console routes see: the app's variables plus the signed-in session (its tenant is also `tenant`). */
export type ConsoleEnv = {
	Bindings: Env;
	Variables: AppEnv["Variables"] & { session: ConsoleSession };
};
