/**
 * DrawObject — one lottery. Today it keeps the distribution timeline (see
 * DistributionObject), reaching DRAWN at drawAt; the drawing engine builds on it.
 */
import { DistributionObject } from "./distribution";

export class DrawObject extends DistributionObject {}
