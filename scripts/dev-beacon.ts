#!/usr/bin/env node
import { createDevBeacon } from "../src/distributions/draw/dev-beacon";
// `npm run dev:beacon`: the local drand-compatible dev beacon (src/distributions/draw/dev-beacon.ts) on
// loopback, so draws run with no network. DRAND_DEV_SECRET_KEY (32 bytes hex) keeps its key across
// restarts; without it a fresh key is made and the chain changes with every run. The secret key is
// never printed: only the lines for .dev.vars that point the worker at this beacon.
import { serveFetch } from "./serve-fetch";

const port = Number(process.env.DRAND_DEV_PORT ?? 8790);
const period = process.env.DRAND_DEV_PERIOD ? Number(process.env.DRAND_DEV_PERIOD) : undefined;
const beacon = createDevBeacon({ secretKey: process.env.DRAND_DEV_SECRET_KEY || undefined, period });
const { url } = await serveFetch(beacon.fetch, { port });
console.log(`
  Dev beacon (NOT drand quicknet: proofs on it say dev) on ${url}
  Chain hash: ${beacon.chain.hash}
  Round now:  ${url}/${beacon.chain.hash}/public/latest

  For a worker started otherwise (wrangler dev --var NAME:value):
    DRAND_CHAIN=dev
    DRAND_RELAYS=${url}
    DRAND_DEV_PUBLIC_KEY=${beacon.chain.publicKey}${period ? `\n    DRAND_DEV_PERIOD=${period}` : ""}
`);
