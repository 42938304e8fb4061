/** Who is asking about a queue: the access token's consumer, or the holder of an `X-Queue-Ticket`. */
import { type EntryEnv, identifyBy } from "../common/identify";

export type QueueEnv = EntryEnv;
export const identify = identifyBy("X-Queue-Ticket");
