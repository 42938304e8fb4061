/**
 * QueueObject — one virtual waiting room. Today it keeps the distribution timeline
 * (see DistributionObject); the admission engine builds on it.
 */
import { DistributionObject } from "./distribution";

export class QueueObject extends DistributionObject {}
