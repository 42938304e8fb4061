/**
 * AuctionObject — one auction. Today it keeps the distribution timeline (see
 * DistributionObject), reaching SETTLED at settleAt; the bidding engine builds on it.
 */
import { DistributionObject } from "./distribution";

export class AuctionObject extends DistributionObject {}
