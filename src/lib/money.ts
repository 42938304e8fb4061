/** Money is a decimal in the API (≥ 0, at most 2 decimals) and integer minor units in storage. */
import { z } from "zod";

export const MAX_AMOUNT = 1_000_000_000;

/** A non-negative amount with at most two decimals, e.g. 199.99. */
export const money = () =>
	z
		.number()
		.finite()
		.min(0, "Must be zero or more")
		.max(MAX_AMOUNT, `Must be at most ${MAX_AMOUNT}`)
		// Exact: the amount must be the double nearest to some whole number of cents.
		.refine((v) => Math.round(v * 100) / 100 === v, "At most 2 decimal places");

export const toMinor = (amount: number) => Math.round(amount * 100);
export const fromMinor = (minor: number) => minor / 100;
